// The "juliaset" tEXt record: JSON written and parsed with nlohmann::json.
#include "metadata.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include "juliaset/deep.hpp"
#include "juliaset/version.hpp"
#include "png_reader.hpp"

namespace juliaset::cli {

namespace {

// Keys keep the documented order, which makes the chunk easy to read by eye.
using Json = nlohmann::ordered_json;

/// Reads one key of the record with messages that name it.
class JsonFields {
public:
    explicit JsonFields(const Json& object) : object_(object) {}

    [[nodiscard]] bool has(const char* key) const { return object_.contains(key); }

    [[nodiscard]] const Json& at(const char* key) const {
        if (!has(key)) throw MetadataError(std::string("the key \"") + key + "\" is missing");
        return object_.at(key);
    }

    [[nodiscard]] static double real(const Json& value, const std::string& what) {
        if (!value.is_number()) throw MetadataError(what + " must be a number");
        return value.get<double>();
    }

    [[nodiscard]] double real(const char* key) const {
        return real(at(key), std::string("\"") + key + "\"");
    }

    [[nodiscard]] std::uint64_t whole(const char* key, std::uint64_t max) const {
        const Json& value = at(key);
        if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max) {
            throw MetadataError(std::string("\"") + key + "\" must be a whole number from 0 to " +
                                std::to_string(max));
        }
        return value.get<std::uint64_t>();
    }

    [[nodiscard]] std::string text(const char* key) const {
        const Json& value = at(key);
        if (!value.is_string()) throw MetadataError(std::string("\"") + key + "\" must be a string");
        return value.get<std::string>();
    }

private:
    const Json& object_;
};

constexpr auto u32_max = std::numeric_limits<std::uint32_t>::max();

/// A decimal string of the record (check_decimal's syntax), with a message naming `what`.
std::string decimal_text(const Json& value, const std::string& what) {
    if (!value.is_string()) throw MetadataError(what + " must be a decimal string");
    std::string text = value.get<std::string>();
    try {
        check_decimal(text, what);
    } catch (const std::invalid_argument& error) {
        throw MetadataError(error.what());
    }
    return text;
}

/// One part of "c": a number, or a decimal string whose exact digits are kept in `exact`.
double c_part(const Json& value, const std::string& what, std::string& exact) {
    if (value.is_string()) {
        exact = decimal_text(value, what);
        // strtod rounds correctly; a part beyond a double's range is only usable at depth.
        const double rounded = std::strtod(exact.c_str(), nullptr);
        if (!std::isfinite(rounded)) throw MetadataError(what + " is out of the range of a double");
        return rounded;
    }
    exact.clear();
    return JsonFields::real(value, what);
}

}  // namespace

std::string_view family_name(Family family) noexcept {
    return family == Family::mandelbrot ? "mandelbrot" : "julia";
}

std::string_view coloring_name(Coloring coloring) noexcept {
    switch (coloring) {
        case Coloring::smooth: return "smooth";
        case Coloring::histogram: return "histogram";
        case Coloring::count: break;
    }
    return "count";
}

std::string_view precision_name(Precision precision) noexcept {
    return precision == Precision::single ? "single" : "double";
}

std::string record_to_json(const ImageRecord& record) {
    const JuliaParams& params = record.params;
    Json json;
    json["schema"] = record_schema_version;
    json["engine"] = record.engine.empty() ? std::string("juliaset ") + version : record.engine;
    json["family"] = family_name(params.family);
    json["power"] = params.power;
    // c plays no part in the Mandelbrot family: written as [0.0, 0.0], as the Python package does.
    const bool julia = params.family == Family::julia;
    if (julia && !record.c_re_exact.empty()) {
        json["c"] = Json::array({record.c_re_exact, record.c_im_exact});
    } else {
        json["c"] = Json::array({julia ? params.c_re : 0.0, julia ? params.c_im : 0.0});
    }
    if (record.view) {
        json["view"] = {{"center", Json::array({record.view->center_re, record.view->center_im})},
                        {"width", record.view->span}};
    } else {
        json["region"] = {{"xleft", record.region.xleft},
                          {"xright", record.region.xright},
                          {"ybot", record.region.ybot},
                          {"ytop", record.region.ytop}};
    }
    json["width"] = record.width;
    json["height"] = record.height;
    json["threshold"] = params.threshold;
    json["itermin"] = params.itermin;
    json["itermax"] = params.itermax;
    json["coloring"] = coloring_name(record.coloring);
    json["colormap"] = record.colormap;
    json["bits"] = record.bits;
    json["supersample"] = record.supersample;
    json["precision"] = precision_name(record.precision);
    // ASCII only (\u escapes), as tEXt chunks are Latin-1.
    return json.dump(-1, ' ', true);
}

ImageRecord record_from_json(std::string_view text) {
    Json json;
    try {
        json = Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& error) {
        throw MetadataError(std::string("the record is not valid JSON: ") + error.what());
    }
    if (!json.is_object()) throw MetadataError("the record is not a JSON object");
    const JsonFields read(json);
    if (read.has("schema")) {
        const std::uint64_t schema = read.whole("schema", u32_max);
        if (schema < 1 || schema > record_schema_version) {
            throw MetadataError("\"schema\" " + std::to_string(schema) +
                                " is not one this engine reads (1 to " +
                                std::to_string(record_schema_version) + "); a newer juliaset wrote it");
        }
    }
    ImageRecord record;
    if (read.has("engine")) record.engine = read.text("engine");

    JuliaParams& params = record.params;
    const std::string family = read.text("family");
    if (family == "julia") {
        params.family = Family::julia;
    } else if (family == "mandelbrot") {
        params.family = Family::mandelbrot;
    } else {
        throw MetadataError("\"family\" must be \"julia\" or \"mandelbrot\", got \"" + family +
                            "\"");
    }
    if (read.has("power")) params.power = static_cast<std::uint32_t>(read.whole("power", u32_max));
    // The Mandelbrot family takes c from each pixel: a writer may leave c out, and it reads as 0.
    params.c_re = 0.0;
    params.c_im = 0.0;
    if (params.family == Family::julia) {
        const Json& c = read.at("c");
        if (!c.is_array() || c.size() != 2) {
            throw MetadataError("\"c\" must be a list of two numbers [re, im]");
        }
        params.c_re = c_part(c[0], "\"c\"[0]", record.c_re_exact);
        params.c_im = c_part(c[1], "\"c\"[1]", record.c_im_exact);
        // Both parts exact, or neither: a number next to a string keeps its shortest digits.
        if (record.c_re_exact.empty() != record.c_im_exact.empty()) {
            const auto shortest = [](double value) {
                return nlohmann::json(value).dump();
            };
            if (record.c_re_exact.empty()) record.c_re_exact = shortest(params.c_re);
            if (record.c_im_exact.empty()) record.c_im_exact = shortest(params.c_im);
        }
    }
    if (read.has("view")) {
        const Json& view = read.at("view");
        if (!view.is_object()) throw MetadataError("\"view\" must be an object");
        const JsonFields read_view(view);
        const Json& center = read_view.at("center");
        if (!center.is_array() || center.size() != 2) {
            throw MetadataError("\"view\".\"center\" must be a list of two decimal strings [re, im]");
        }
        record.view = ExactView{decimal_text(center[0], "\"view\".\"center\"[0]"),
                                decimal_text(center[1], "\"view\".\"center\"[1]"),
                                decimal_text(read_view.at("width"), "\"view\".\"width\"")};
    } else {
        const Json& region = read.at("region");
        if (!region.is_object()) throw MetadataError("\"region\" must be an object");
        const JsonFields read_region(region);
        record.region = {read_region.real("xleft"), read_region.real("xright"),
                         read_region.real("ybot"), read_region.real("ytop")};
    }
    record.width = read.whole("width", max_grid_side);
    record.height = read.whole("height", max_grid_side);
    params.threshold = read.real("threshold");
    params.itermin = static_cast<std::uint32_t>(read.whole("itermin", u32_max));
    params.itermax = static_cast<std::uint32_t>(read.whole("itermax", u32_max));

    if (read.has("coloring")) {
        const std::string coloring = read.text("coloring");
        if (coloring == "count") {
            record.coloring = Coloring::count;
        } else if (coloring == "smooth") {
            record.coloring = Coloring::smooth;
        } else if (coloring == "histogram") {
            record.coloring = Coloring::histogram;
        } else {
            throw MetadataError("\"coloring\" must be \"count\", \"smooth\" or \"histogram\", got \"" +
                                coloring + "\"");
        }
    }
    if (read.has("colormap")) record.colormap = read.text("colormap");
    if (read.has("bits")) {
        const std::uint64_t bits = read.whole("bits", 16);
        if (bits != 8 && bits != 16) throw MetadataError("\"bits\" must be 8 or 16");
        record.bits = static_cast<unsigned>(bits);
    }
    if (read.has("supersample")) {
        record.supersample = static_cast<std::uint32_t>(read.whole("supersample", u32_max));
    }
    if (read.has("precision")) {
        const std::string precision = read.text("precision");
        // "exact" is the core's (and the Python binding's) name for double precision.
        if (precision == "double" || precision == "exact") {
            record.precision = Precision::exact;
        } else if (precision == "single") {
            record.precision = Precision::single;
        } else {
            throw MetadataError("\"precision\" must be \"double\" or \"single\", got \"" +
                                precision + "\"");
        }
    }
    return record;
}

ImageRecord read_image_record(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MetadataError("cannot read '" + path + "': " + std::strerror(errno));
    std::vector<png::TextChunk> chunks;
    try {
        chunks = png::read_text_chunks(in);
    } catch (const png::FormatError& error) {
        throw MetadataError("'" + path + "': " + error.what());
    }
    for (const png::TextChunk& chunk : chunks) {
        if (chunk.keyword != metadata_keyword) continue;
        try {
            return record_from_json(chunk.text);
        } catch (const MetadataError& error) {
            throw MetadataError("the juliaset parameters in '" + path + "' are malformed: " +
                                error.what());
        }
    }
    throw MetadataError("'" + path +
                        "' carries no juliaset parameters (no tEXt chunk \"juliaset\"); "
                        "--from reads PNG files written by juliaset 0.2.0 or later");
}

}  // namespace juliaset::cli
