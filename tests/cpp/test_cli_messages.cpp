// Messages name what the user gave: a flag, or the record a --from file holds; echoed values are
// short and printable. And a recorded colour table round-trips through --from.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "metadata.hpp"
#include "options.hpp"
#include "quoting.hpp"

namespace {

using juliaset::Rgb;
using juliaset::cli::Exit;
using juliaset::cli::ImageRecord;
using juliaset::cli::in_quotes;
using juliaset::cli::Options;
using juliaset::cli::ParseResult;
using juliaset::cli::printable;

ImageRecord recorded() {
    ImageRecord record;
    record.width = 16;
    record.height = 10;
    record.region = {-1.6, 1.6, -1.0, 1.0};
    return record;
}

ParseResult parse_from(const ImageRecord& record, std::vector<std::string> args) {
    args.insert(args.begin(), "--from=a.png");
    return juliaset::cli::parse_options(args, [&record](const std::string&) { return record; });
}

std::string error_from(const ImageRecord& record, const std::vector<std::string>& args) {
    const ParseResult result = parse_from(record, args);
    const auto* exit = std::get_if<Exit>(&result);
    if (exit == nullptr) {
        ADD_FAILURE() << "accepted";
        return {};
    }
    EXPECT_EQ(exit->status, 2);
    return exit->message;
}

TEST(CliMessages, PrintableEscapesControlsAndCutsLongText) {
    EXPECT_EQ(printable("plain"), "plain");
    EXPECT_EQ(printable(std::string("a\0b\n\x1b[1m\x7f", 9)), "a\\0b\\n\\x1b[1m\\x7f");
    EXPECT_EQ(printable(std::string(100, 'x'), 4), "xxxx... (100 bytes)");
    // Never inside a UTF-8 sequence: "é" is two bytes.
    EXPECT_EQ(printable("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9... (4 bytes)");
    EXPECT_EQ(in_quotes("it"), "'it'");
}

TEST(CliMessages, RecordedValuesAreBlamedOnTheRecordNotOnFlags) {
    ImageRecord bad_power = recorded();
    bad_power.params.power = 40;
    std::string message = error_from(bad_power, {});
    EXPECT_EQ(message, "juliaset: error: record in 'a.png': \"power\" must be between 2 and 16, got 40");
    // The flag overrides the record, and then it is the flag that is named.
    message = error_from(bad_power, {"--power=20"});
    EXPECT_EQ(message, "juliaset: error: --power must be between 2 and 16, got 20");

    ImageRecord python_colormap = recorded();
    python_colormap.colormap = "cividis";
    message = error_from(python_colormap, {});
    EXPECT_NE(message.find("record in 'a.png': \"colormap\": unknown colormap 'cividis'"),
              std::string::npos) << message;
    EXPECT_EQ(message.find("--colormap:"), std::string::npos) << message;
    EXPECT_NE(std::get_if<Options>(&static_cast<const ParseResult&>(
                  parse_from(python_colormap, {"--colormap=magma"}))),
              nullptr);

    // A mix: the recorded itermin against the typed itermax.
    ImageRecord iterations = recorded();
    iterations.params.itermin = 50;
    message = error_from(iterations, {"-M=20"});
    EXPECT_NE(message.find("record in 'a.png': \"itermin\" (50) must be smaller than "
                           "--itermax/-M (20)"),
              std::string::npos) << message;

    ImageRecord smooth = recorded();
    smooth.coloring = juliaset::Coloring::smooth;
    smooth.params.threshold = 0.5;
    message = error_from(smooth, {});
    EXPECT_NE(message.find("record in 'a.png': \"coloring\" smooth needs \"threshold\" above 1"),
              std::string::npos) << message;
    message = error_from(recorded(), {"--smooth", "-t=0.5"});
    EXPECT_NE(message.find("--smooth needs --threshold/-t above 1"), std::string::npos) << message;
}

TEST(CliMessages, EchoedValuesAreCutAndEscaped) {
    ImageRecord long_name = recorded();
    long_name.colormap = std::string(1 << 20, 'c');
    const std::string message = error_from(long_name, {});
    EXPECT_LT(message.size(), 400u);
    EXPECT_NE(message.find("... (1048576 bytes)"), std::string::npos);

    ImageRecord nul = recorded();
    nul.colormap = std::string("vir\0idis\n", 9);
    const std::string escaped = error_from(nul, {});
    EXPECT_NE(escaped.find("'vir\\0idis\\n'"), std::string::npos) << escaped;
    EXPECT_EQ(escaped.find('\n'), std::string::npos);
}

TEST(CliMessages, ARecordedColourTableRendersAsRecordedAndAFlagReplacesIt) {
    ImageRecord record = recorded();
    record.colormap = "jet";
    for (std::size_t i = 0; i < 256; ++i) {
        const double t = static_cast<double>(i) / 255.0;
        record.colormap_colours.push_back({t, 1.0 - t, 0.1 + 0.3 * t * t});
    }
    const ImageRecord back = juliaset::cli::record_from_json(juliaset::cli::record_to_json(record));
    EXPECT_EQ(back.colormap_colours, record.colormap_colours);

    const ParseResult parsed = parse_from(record, {});
    const auto* options = std::get_if<Options>(&parsed);
    ASSERT_NE(options, nullptr) << std::get<Exit>(parsed).message;
    const juliaset::ImageSpec spec = juliaset::cli::image_spec(*options);
    EXPECT_EQ(spec.format, juliaset::PixelFormat::rgb8);
    EXPECT_EQ(spec.colormap.at(1.0), record.colormap_colours.back());
    EXPECT_EQ(juliaset::cli::image_record(*options).colormap_colours, record.colormap_colours);
    // 16 bits need the gray ramp, which a table is not, even one named "gray".
    record.colormap = "gray";
    EXPECT_NE(error_from(record, {"--bits=16"}).find("a recorded colour table"), std::string::npos);

    const ParseResult named = parse_from(record, {"--colormap=magma"});
    ASSERT_NE(std::get_if<Options>(&named), nullptr);
    EXPECT_TRUE(std::get<Options>(named).colormap_colours.empty());

    for (const std::string& table : {std::string("[[0,0,0]]"), std::string("\"jet\""),
                                     "[" + std::string(255 * 8, ' ') + "]"}) {
        std::string json = juliaset::cli::record_to_json(recorded());
        json.insert(json.size() - 1, ",\"colormap_table\":" + table);
        EXPECT_THROW((void)juliaset::cli::record_from_json(json), juliaset::cli::MetadataError);
    }
}

}  // namespace
