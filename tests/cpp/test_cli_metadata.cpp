// The parameter record every PNG carries: JSON out and back, from files, and the progress bar.
#include "metadata.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "options.hpp"
#include "png_writer.hpp"
#include "progress.hpp"
#include "render_png.hpp"

namespace {

using juliaset::Coloring;
using juliaset::Family;
using juliaset::Precision;
using juliaset::cli::ImageRecord;
using juliaset::cli::MetadataError;
using juliaset::cli::record_from_json;
using juliaset::cli::record_to_json;

ImageRecord awkward_record() {
    ImageRecord record;
    record.engine = "juliaset 0.2.0";
    // Doubles whose shortest round-trip form needs 17 digits, tiny and huge magnitudes.
    record.params.c_re = 0.1 + 0.2;
    record.params.c_im = -std::nextafter(0.2321, 1.0);
    record.params.threshold = 2.0;
    record.params.itermin = 0;
    record.params.itermax = 4000000000u;
    record.params.power = 7;
    record.region = {-1e-300, 5e-324, -1e150, 1.0 / 3.0};
    record.width = 1u << 30;
    record.height = 17;
    record.coloring = Coloring::histogram;
    record.colormap = "twilight_r";
    record.bits = 8;
    record.supersample = 16;
    record.precision = Precision::single;
    return record;
}

/// Bitwise equality, so that -0.0 and 0.0 or two NaNs are not confused.
void expect_same_double(double a, double b) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a), std::bit_cast<std::uint64_t>(b)) << a << " " << b;
}

TEST(Metadata, RecordsRoundTripExactly) {
    ImageRecord julia = awkward_record();
    ImageRecord mandelbrot = awkward_record();
    mandelbrot.params.family = Family::mandelbrot;
    mandelbrot.params.c_re = 0.0;
    mandelbrot.params.c_im = 0.0;
    mandelbrot.coloring = Coloring::smooth;
    mandelbrot.bits = 16;
    mandelbrot.colormap = "gray";
    mandelbrot.precision = Precision::exact;
    for (const ImageRecord& record : {julia, mandelbrot, ImageRecord{}}) {
        const ImageRecord back = record_from_json(record_to_json(record));
        if (record.engine.empty()) {
            EXPECT_EQ(back.engine, "juliaset 0.2.0");  // the writer fills in this engine
        } else {
            EXPECT_EQ(back, record);
        }
        expect_same_double(back.params.c_re, record.params.c_re);
        expect_same_double(back.params.c_im, record.params.c_im);
        expect_same_double(back.region.xright, record.region.xright);
        expect_same_double(back.region.ytop, record.region.ytop);
    }
}

TEST(Metadata, JsonHasTheDocumentedKeysInOrderAndFloatsStayFloats) {
    ImageRecord record;
    record.width = 500;
    record.height = 313;
    EXPECT_EQ(record_to_json(record),
              R"({"schema":2,"engine":"juliaset 0.2.0","family":"julia","power":2,"c":[-0.835,-0.2321],)"
              R"("region":{"xleft":-1.6,"xright":1.6,"ybot":-1.0,"ytop":1.0},"width":500,)"
              R"("height":313,"threshold":2.0,"itermin":5,"itermax":80,"coloring":"count",)"
              R"("colormap":"gray","bits":8,"supersample":1,"precision":"double"})");
    record.params.family = Family::mandelbrot;
    EXPECT_NE(record_to_json(record).find(R"("c":[0.0,0.0])"), std::string::npos);
}

TEST(Metadata, OptionalKeysTakeDefaultsAndUnknownKeysAreIgnored) {
    const ImageRecord record = record_from_json(
        R"({"family": "mandelbrot", "region": {"xleft": -2, "xright": 1, "ybot": -1,
            "ytop": 1}, "width": 30, "height": 20, "threshold": 2, "itermin": 0,
            "itermax": 50, "future": {"anything": [1, 2]}, "precision": "exact"})");
    EXPECT_EQ(record.params.family, Family::mandelbrot);
    EXPECT_EQ(record.params.power, 2u);
    EXPECT_EQ(record.params.c_re, 0.0);
    EXPECT_EQ(record.region.xleft, -2.0);
    EXPECT_EQ(record.coloring, Coloring::count);
    EXPECT_EQ(record.colormap, "gray");
    EXPECT_EQ(record.bits, 8u);
    EXPECT_EQ(record.supersample, 1u);
    EXPECT_EQ(record.precision, Precision::exact);
    EXPECT_TRUE(record.engine.empty());
}

TEST(Metadata, MalformedRecordsNameTheKey) {
    const std::string good = record_to_json(awkward_record());
    const auto expect_error = [](const std::string& json, const std::string& part) {
        try {
            (void)record_from_json(json);
            ADD_FAILURE() << "accepted: " << json;
        } catch (const MetadataError& error) {
            EXPECT_NE(std::string(error.what()).find(part), std::string::npos)
                << "'" << part << "' not in: " << error.what();
        }
    };
    const auto replace = [&](const std::string& from, const std::string& to) {
        std::string json = good;
        const auto at = json.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return json.replace(at, from.size(), to);
    };
    expect_error("{not json", "not valid JSON");
    expect_error("[1, 2]", "not a JSON object");
    expect_error(replace(R"("family":"julia")", R"("family":"newton")"), R"("family")");
    expect_error(replace(R"("family":"julia",)", ""), R"("family" is missing)");
    expect_error(replace(R"("width":1073741824)", R"("width":1073741825)"), R"("width")");
    expect_error(replace(R"("width":1073741824)", R"("width":-3)"), R"("width")");
    expect_error(replace(R"("width":1073741824)", R"("width":2.5)"), R"("width")");
    expect_error(replace(R"("threshold":2.0)", R"("threshold":"2")"), R"("threshold")");
    expect_error(replace(R"("c":[0.30000000000000004,)", R"("c":[)"), R"("c")");
    expect_error(replace(R"("xleft":-1e-300)", R"("xleft":null)"), R"("xleft")");
    expect_error(replace(R"("bits":8)", R"("bits":12)"), R"("bits")");
    expect_error(replace(R"("coloring":"histogram")", R"("coloring":"fancy")"), R"("coloring")");
    expect_error(replace(R"("precision":"single")", R"("precision":"half")"), R"("precision")");
}

// Issue 10, item 2: nlohmann::json throws out_of_range for such numbers, which escaped as an
// abort (exit 134) of `juliaset --from`. Found again by record_json_fuzz.
TEST(Metadata, NumbersBeyondTheDoubleRangeAreMalformed) {
    const std::string good = record_to_json(awkward_record());
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {R"("threshold":2.0)", R"("threshold":1e400)"},
             {R"("width":1073741824)", R"("width":1)" + std::string(400, '0')},
             {R"("c":[0.30000000000000004,)", R"("c":[-1e999,)"},
             {R"("engine":"juliaset 0.2.0")", R"("engine":"juliaset 0.2.0","extra":[1e400])"}}) {
        std::string json = good;
        const auto at = json.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        json.replace(at, from.size(), to);
        try {
            (void)record_from_json(json);
            ADD_FAILURE() << "accepted: " << json;
        } catch (const MetadataError& error) {
            EXPECT_NE(std::string(error.what()).find("range of a double"),
                      std::string::npos)
                << error.what();
        }
    }
}

/// A temporary file removed at the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& name)
        : path_((std::filesystem::temp_directory_path() /
                 (name + "." + std::to_string(::getpid())))
                    .string()) {}
    ~TempFile() { std::remove(path_.c_str()); }
    [[nodiscard]] const std::string& path() const { return path_; }

    void write(const std::vector<std::uint8_t>& bytes) const {
        std::ofstream out(path_, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
    }

private:
    std::string path_;
};

std::vector<std::uint8_t> png_with(const std::vector<juliaset::png::TextChunk>& text) {
    juliaset::png::ImageFormat format;
    format.width = 4;
    format.height = 3;
    format.text = text;
    return juliaset::png::encode_png(format, std::vector<std::uint8_t>(12, 7));
}

TEST(Metadata, TheCommandsChunksReadBackAsItsOptions) {
    const auto parsed = juliaset::cli::parse_options(std::vector<std::string>{
        "-R=90", "--mandelbrot", "--power=3", "--colormap=plasma", "--supersample=2"});
    ASSERT_TRUE(std::holds_alternative<juliaset::cli::Options>(parsed));
    const auto& options = std::get<juliaset::cli::Options>(parsed);
    const auto chunks = juliaset::cli::image_metadata(options);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].keyword, "Software");
    EXPECT_EQ(chunks[1].keyword, "Comment");
    EXPECT_EQ(chunks[1].text,
              "juliaset -R=90 -x=-0.8 -X=0.8 -y=-1.45 -Y=1.45 --mandelbrot -t=2 -m=5 -M=80 --power=3 "
              "--colormap=plasma --supersample=2");
    TempFile file("juliaset_metadata_test.png");
    file.write(png_with(chunks));
    const ImageRecord record = juliaset::cli::read_image_record(file.path());
    EXPECT_EQ(record, juliaset::cli::image_record(options));
    EXPECT_EQ(record.width, 90u);
    EXPECT_EQ(record.height, 163u);  // the power-3 multibrot set is taller than wide
}

TEST(Metadata, FilesWithoutAUsableRecordAreReportedByName) {
    const auto expect_error = [](const std::string& path, const std::string& part) {
        try {
            (void)juliaset::cli::read_image_record(path);
            ADD_FAILURE() << "accepted " << path;
        } catch (const MetadataError& error) {
            const std::string message = error.what();
            EXPECT_NE(message.find(path), std::string::npos) << message;
            EXPECT_NE(message.find(part), std::string::npos) << message;
        }
    };
    TempFile none("juliaset_metadata_none.png");
    none.write(png_with({{"Comment", "no record here"}}));
    expect_error(none.path(), "no juliaset parameters");
    TempFile malformed("juliaset_metadata_bad.png");
    malformed.write(png_with({{"juliaset", R"({"family": "julia"})"}}));
    expect_error(malformed.path(), "malformed");
    TempFile text("juliaset_metadata_text.png");
    text.write({'h', 'e', 'l', 'l', 'o'});
    expect_error(text.path(), "not a PNG");
    expect_error("/nonexistent/juliaset.png", "cannot read");
}

// --- the progress bar ---------------------------------------------------------------------

std::string drain(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) return out;
        out.append(buffer, static_cast<std::size_t>(got));
    }
}

TEST(ProgressBar, DrawsNothingWhenNotATerminal) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    {
        juliaset::cli::ProgressBar bar(10, fds[1], std::chrono::milliseconds(0),
                                       std::chrono::milliseconds(1));
        EXPECT_FALSE(bar.enabled());
        bar.advance(5);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::close(fds[1]);
    EXPECT_EQ(drain(fds[0]), "");
    ::close(fds[0]);
}

TEST(ProgressBar, DrawsOnATerminalAndErasesItsLine) {
    const int primary = ::posix_openpt(O_RDWR | O_NOCTTY);
    ASSERT_GE(primary, 0);
    ASSERT_EQ(::grantpt(primary), 0);
    ASSERT_EQ(::unlockpt(primary), 0);
    const int replica = ::open(::ptsname(primary), O_RDWR | O_NOCTTY);
    ASSERT_GE(replica, 0);
    {
        juliaset::cli::ProgressBar bar(4, replica, std::chrono::milliseconds(0),
                                       std::chrono::milliseconds(5));
        EXPECT_TRUE(bar.enabled());
        bar.advance(3);
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        bar.finish();
    }
    ::close(replica);
    const int flags = ::fcntl(primary, F_GETFL);
    ::fcntl(primary, F_SETFL, flags | O_NONBLOCK);
    const std::string out = drain(primary);
    ::close(primary);
    EXPECT_NE(out.find("juliaset ["), std::string::npos) << out;
    EXPECT_NE(out.find(" 75%"), std::string::npos) << out;
    const auto last = out.find_last_of('\r', out.size() - 2);
    ASSERT_NE(last, std::string::npos);
    EXPECT_EQ(out.back(), '\r');
    EXPECT_EQ(out.substr(last + 1, out.size() - last - 2).find_first_not_of(' '),
              std::string::npos)
        << "the last line is not blank: " << out;
}

}  // namespace
