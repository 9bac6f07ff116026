// The "juliaset" tEXt record: JSON written and parsed with nlohmann::json.
#include "metadata.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <vector>

#include "juliaset/deep.hpp"
#include "juliaset/version.hpp"
#include "png_reader.hpp"
#include "quoting.hpp"

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

/// The JSON library's message without its "[json.exception.parse_error.101] " tag, printable
/// and of bounded length (it may quote the offending token).
std::string json_error_text(const nlohmann::json::exception& error) {
    std::string_view what = error.what();
    if (!what.empty() && what.front() == '[') {
        const auto end = what.find("] ");
        if (end != std::string_view::npos) what.remove_prefix(end + 2);
    }
    if (error.id == 406) return "a number is outside the range of a double";  // out_of_range
    return printable(what, 4 * echo_limit);
}

/// The record's JSON, nested at most max_record_depth deep (the parser is iterative, but a deep
/// document would still cost one container per level).
Json parse_limited(std::string_view text) {
    const auto limit_depth = [](int depth, Json::parse_event_t event, Json&) {
        const bool opens = event == Json::parse_event_t::object_start ||
                           event == Json::parse_event_t::array_start;
        if (opens && depth >= static_cast<int>(max_record_depth)) {
            throw MetadataError("the record nests arrays or objects more than " +
                                std::to_string(max_record_depth) + " deep");
        }
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit_depth);
    } catch (const nlohmann::json::parse_error& error) {
        throw MetadataError("the record is not valid JSON: " + json_error_text(error));
    } catch (const nlohmann::json::exception& error) {
        throw MetadataError("the record cannot be read as JSON: " + json_error_text(error));
    }
}

ImageRecord record_from_text(const std::optional<std::string>& text, const std::string& name) {
    if (!text) {
        throw MetadataError(name + " carries no juliaset parameters (no tEXt, zTXt or iTXt "
                                   "chunk \"juliaset\"); --from reads PNG files written by "
                                   "juliaset 0.2.0 or later");
    }
    try {
        return record_from_json(*text);
    } catch (const MetadataError& error) {
        throw MetadataError("malformed parameter record in " + name + ": " + error.what());
    }
}

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
    if (!record.colormap_colours.empty()) {
        Json table = Json::array();
        for (const Rgb& colour : record.colormap_colours) {
            table.push_back(Json::array({colour.r, colour.g, colour.b}));
        }
        json["colormap_table"] = std::move(table);
    }
    json["bits"] = record.bits;
    json["supersample"] = record.supersample;
    json["precision"] = precision_name(record.precision);
    // ASCII only (\u escapes), as tEXt chunks are Latin-1.
    return json.dump(-1, ' ', true, Json::error_handler_t::replace);
}

namespace {

/// "colormap_table": 256 [r, g, b] triples with channels in [0, 1].
std::vector<Rgb> colour_table(const Json& table) {
    const std::string shape = "\"colormap_table\" must be a list of " +
                              std::to_string(Colormap::size) + " [r, g, b] colours";
    if (!table.is_array() || table.size() != Colormap::size) throw MetadataError(shape);
    std::vector<Rgb> colours;
    colours.reserve(Colormap::size);
    for (std::size_t i = 0; i < table.size(); ++i) {
        const Json& entry = table[i];
        if (!entry.is_array() || entry.size() != 3) throw MetadataError(shape);
        const std::string where = "\"colormap_table\"[" + std::to_string(i) + "]";
        const Rgb colour{JsonFields::real(entry[0], where), JsonFields::real(entry[1], where),
                         JsonFields::real(entry[2], where)};
        for (const double channel : {colour.r, colour.g, colour.b}) {
            if (!(channel >= 0.0 && channel <= 1.0)) {
                throw MetadataError(where + " must hold channels between 0 and 1");
            }
        }
        colours.push_back(colour);
    }
    return colours;
}

ImageRecord record_from_parsed(const Json& json) {
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
        throw MetadataError("\"family\" must be \"julia\" or \"mandelbrot\", got " +
                            in_quotes(family));
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
            throw MetadataError(
                "\"coloring\" must be \"count\", \"smooth\" or \"histogram\", got " +
                in_quotes(coloring));
        }
    }
    if (read.has("colormap")) record.colormap = read.text("colormap");
    if (read.has("colormap_table")) record.colormap_colours = colour_table(read.at("colormap_table"));
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
            throw MetadataError("\"precision\" must be \"double\" or \"single\", got " +
                                in_quotes(precision));
        }
    }
    return record;
}

/// The record in a PNG given as bytes or as a stream.
template <typename Input>
ImageRecord record_in(Input& input, const std::string& name) {
    std::optional<std::string> text;
    try {
        text = png::find_text_chunk(input, metadata_keyword, max_record_bytes);
    } catch (const png::TooLargeError& error) {
        throw MetadataError("the parameter record in " + name + " is too large: " + error.what());
    } catch (const png::FormatError& error) {
        throw MetadataError(name + ": " + error.what());
    }
    return record_from_text(text, name);
}

}  // namespace

ImageRecord record_from_json(std::string_view text) {
    const Json json = parse_limited(text);
    try {
        return record_from_parsed(json);
    } catch (const nlohmann::json::exception& error) {
        // Every key is type-checked before it is read, so this is a safety net only.
        throw MetadataError(json_error_text(error));
    }
}

ImageRecord record_from_png(std::span<const std::uint8_t> png, const std::string& name) {
    return record_in(png, name);
}

ImageRecord read_image_record(const std::string& path) {
    const std::string name = in_quotes(path, 4096);
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw MetadataError("cannot read " + name + ": it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MetadataError("cannot read " + name + ": " + std::strerror(errno));
    return record_in(in, name);
}

}  // namespace juliaset::cli
