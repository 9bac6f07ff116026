// The command line: every spelling of every flag, the defaults, and every error message.
#include "options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace {

using juliaset::cli::CompressionChoice;
using juliaset::cli::Exit;
using juliaset::cli::Options;
using juliaset::cli::ParseResult;

ParseResult parse(std::vector<std::string> args) { return juliaset::cli::parse_options(args); }

Options parse_ok(const std::vector<std::string>& args) {
    const ParseResult result = parse(args);
    if (const auto* exit = std::get_if<Exit>(&result)) {
        ADD_FAILURE() << "rejected: " << exit->message;
        return {};
    }
    return std::get<Options>(result);
}

/// The error line for `args`, checked to be a usage error.
std::string parse_error(const std::vector<std::string>& args) {
    const ParseResult result = parse(args);
    const auto* exit = std::get_if<Exit>(&result);
    if (exit == nullptr) {
        ADD_FAILURE() << "accepted";
        return {};
    }
    EXPECT_EQ(exit->status, juliaset::cli::exit_usage_error);
    EXPECT_EQ(exit->message.rfind("juliaset: error: ", 0), 0u) << exit->message;
    EXPECT_EQ(exit->message.find('\n'), std::string::npos) << "not one line: " << exit->message;
    return exit->message;
}

TEST(CliOptions, DefaultsAreTheSeedTools) {
    const Options options = parse_ok({});
    EXPECT_EQ(options.resolution, 500u);
    EXPECT_EQ(options.region.xleft, -1.6);
    EXPECT_EQ(options.region.xright, 1.6);
    EXPECT_EQ(options.region.ybot, -1.0);
    EXPECT_EQ(options.region.ytop, 1.0);
    EXPECT_EQ(options.params.c_re, -0.835);
    EXPECT_EQ(options.params.c_im, -0.2321);
    EXPECT_EQ(options.params.threshold, 2.0);
    EXPECT_EQ(options.params.itermin, 5u);
    EXPECT_EQ(options.params.itermax, 80u);
    EXPECT_EQ(options.output, "plot.png");
    EXPECT_EQ(options.threads, 0u);
    EXPECT_EQ(options.compression, CompressionChoice::standard);
}

/// Reads the field a flag sets, so one table drives every spelling test.
double real_field(const Options& options, const std::string& long_name) {
    if (long_name == "xleft") return options.region.xleft;
    if (long_name == "xright") return options.region.xright;
    if (long_name == "ybot") return options.region.ybot;
    if (long_name == "ytop") return options.region.ytop;
    if (long_name == "real") return options.params.c_re;
    if (long_name == "imag") return options.params.c_im;
    if (long_name == "threshold") return options.params.threshold;
    ADD_FAILURE() << "unknown flag " << long_name;
    return 0.0;
}

TEST(CliOptions, EveryRealFlagInEverySpellingWithNegativeValues) {
    const std::vector<std::pair<std::string, std::string>> flags = {
        {"x", "xleft"}, {"X", "xright"}, {"y", "ybot"},
        {"Y", "ytop"},  {"r", "real"},   {"i", "imag"}};
    for (const auto& [short_name, long_name] : flags) {
        for (const std::string value : {"-0.1", "0.25", "-3e-2", "+0.5", "-.5"}) {
            const double expected = std::stod(value);
            const std::vector<std::vector<std::string>> spellings = {
                {"-" + short_name + "=" + value},
                {"-" + short_name, value},
                {"-" + short_name + value},
                {"--" + long_name + "=" + value},
                {"--" + long_name, value}};
            for (std::vector<std::string> args : spellings) {
                // Keep the region valid whichever bound is set.
                if (long_name == "xleft") args.push_back("-X=9");
                if (long_name == "xright") args.push_back("-x=-9");
                if (long_name == "ybot") args.push_back("-Y=9");
                if (long_name == "ytop") args.push_back("-y=-9");
                const Options options = parse_ok(args);
                EXPECT_EQ(real_field(options, long_name), expected) << args.front() << " " << value;
            }
        }
    }
}

TEST(CliOptions, ThresholdInEverySpelling) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"-t=3.5"}, {"-t", "3.5"}, {"-t3.5"}, {"--threshold=3.5"},
          {"--threshold", "3.5"}}) {
        EXPECT_EQ(parse_ok(args).params.threshold, 3.5) << args.front();
    }
}

TEST(CliOptions, WholeNumberFlagsInEverySpelling) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"-R=4000", "-m=20", "-M=100", "--threads=3"},
          {"-R", "4000", "-m", "20", "-M", "100", "--threads", "3"},
          {"-R4000", "-m20", "-M100", "--threads=3"},
          {"--resolution=4000", "--itermin=20", "--itermax=100", "--threads", "3"},
          {"--resolution", "4000", "--itermin", "20", "--itermax", "100", "--threads=3"}}) {
        const Options options = parse_ok(args);
        EXPECT_EQ(options.resolution, 4000u) << args.front();
        EXPECT_EQ(options.params.itermin, 20u);
        EXPECT_EQ(options.params.itermax, 100u);
        EXPECT_EQ(options.threads, 3u);
    }
}

TEST(CliOptions, OutputAndCompressionFlags) {
    EXPECT_EQ(parse_ok({"-o", "a.png"}).output, "a.png");
    EXPECT_EQ(parse_ok({"-o=b.png"}).output, "b.png");
    EXPECT_EQ(parse_ok({"--output=c.png"}).output, "c.png");
    EXPECT_EQ(parse_ok({"--output", "d.png"}).output, "d.png");
    EXPECT_EQ(parse_ok({"-o", "-"}).output, "-");
    EXPECT_EQ(parse_ok({"-o=-"}).output, "-");
    EXPECT_EQ(parse_ok({"--fast"}).compression, CompressionChoice::fast);
    EXPECT_EQ(parse_ok({"--best"}).compression, CompressionChoice::best);
}

TEST(CliOptions, TheHeadlineCommand) {
    const Options options =
        parse_ok({"-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=4000"});
    EXPECT_EQ(options.region, (juliaset::Region{-0.1, 0.1, -0.1, 0.1}));
    EXPECT_EQ(options.resolution, 4000u);
    EXPECT_EQ(options.params.itermin, 20u);
    EXPECT_EQ(options.params.itermax, 100u);
}

TEST(CliOptions, ReversedBoundsAreAllowed) {
    const Options options = parse_ok({"-x=1", "-X=-1", "-y=1", "-Y=-1"});
    EXPECT_EQ(options.region, (juliaset::Region{1.0, -1.0, 1.0, -1.0}));
}

TEST(CliOptions, HelpListsEveryFlagWithDefaultsAndTheExample) {
    const ParseResult result = parse({"--help"});
    ASSERT_TRUE(std::holds_alternative<Exit>(result));
    const Exit& exit = std::get<Exit>(result);
    EXPECT_EQ(exit.status, 0);
    for (const char* flag : {"-R,--resolution", "-x,--xleft", "-X,--xright", "-y,--ybot",
                             "-Y,--ytop",
                             "-r,--real", "-i,--imag", "-t,--threshold", "-m,--itermin",
                             "-M,--itermax", "-o,--output", "--threads", "--fast", "--best",
                             "-h,--help", "-V,--version"}) {
        EXPECT_NE(exit.message.find(flag), std::string::npos) << flag;
    }
    for (const char* default_text : {"[default: 500]", "[default: -1.6]", "[default: 1.6]",
                                     "[default: -1]", "[default: 1]", "[default: -0.835]",
                                     "[default: -0.2321]", "[default: 2]", "[default: 5]",
                                     "[default: 80]", "[default: plot.png]"}) {
        EXPECT_NE(exit.message.find(default_text), std::string::npos) << default_text;
    }
    EXPECT_NE(exit.message.find("juliaset -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=4000"),
              std::string::npos);
    const ParseResult short_help = parse({"-h"});
    ASSERT_TRUE(std::holds_alternative<Exit>(short_help));
    EXPECT_EQ(std::get<Exit>(short_help).message, exit.message);
}

TEST(CliOptions, Version) {
    for (const char* flag : {"-V", "--version"}) {
        const ParseResult result = parse({flag});
        ASSERT_TRUE(std::holds_alternative<Exit>(result));
        EXPECT_EQ(std::get<Exit>(result).status, 0);
        EXPECT_EQ(std::get<Exit>(result).message, "juliaset 0.2.0");
    }
}

/// Checks that the error for `args` contains every one of `parts`.
void expect_error(const std::vector<std::string>& args, const std::vector<std::string>& parts) {
    const std::string message = parse_error(args);
    for (const std::string& part : parts) {
        EXPECT_NE(message.find(part), std::string::npos)
            << "'" << part << "' not in: " << message;
    }
}

TEST(CliOptions, MalformedNumbersNameTheFlag) {
    expect_error({"-R=abc"}, {"--resolution/-R", "'abc'", "not a whole number"});
    expect_error({"-R=1.5"}, {"--resolution/-R", "'1.5'"});
    expect_error({"-x=1.5e"}, {"--xleft/-x", "'1.5e'", "not a number"});
    expect_error({"--ytop", "1,5"}, {"--ytop/-Y", "'1,5'"});
    expect_error({"-r="}, {"--real/-r", "''"});
    expect_error({"-m=ten"}, {"--itermin/-m", "'ten'"});
    expect_error({"--threads=two"}, {"--threads", "'two'"});
    expect_error({"-x=1e999"}, {"--xleft/-x", "'1e999' is too large for a double"});
    // Underflow is not overflow: values that round to 0 are refused as too small, subnormal
    // ones (representable, with fewer digits) are taken as they are.
    expect_error({"-x=1e-400"}, {"--xleft/-x", "'1e-400' is too small", "round to 0"});
    expect_error({"-Y=-1e-400"}, {"--ytop/-Y", "too small"});
    EXPECT_EQ(parse_ok({"-x=-1e-310", "-R=2"}).region.xleft, -1e-310);
}

TEST(CliOptions, NonFiniteNumbersNameTheFlag) {
    expect_error({"-x=nan"}, {"--xleft/-x", "finite", "'nan'"});
    expect_error({"-X=inf"}, {"--xright/-X", "finite", "'inf'"});
    expect_error({"-y", "-inf"}, {"--ybot/-y", "finite", "'-inf'"});
    expect_error({"--imag=NaN"}, {"--imag/-i", "finite"});
    expect_error({"-t=inf"}, {"--threshold/-t", "finite"});
}

TEST(CliOptions, BadValuesNameTheFlags) {
    expect_error({"-m=80"}, {"--itermin/-m (80) must be smaller than --itermax/-M (80)"});
    expect_error({"-m=90", "-M=10"}, {"--itermin/-m (90)", "--itermax/-M (10)"});
    expect_error({"-x=0.5", "-X=0.5"}, {"--xleft/-x and --xright/-X must differ, both are 0.5"});
    expect_error({"-y=1", "-Y=1"}, {"--ybot/-y and --ytop/-Y must differ"});
    expect_error({"-R=0"}, {"--resolution/-R must be at least 1, got 0"});
    expect_error({"-R=-5"}, {"--resolution/-R", "negative", "'-5'"});
    expect_error({"-m=-1"}, {"--itermin/-m", "negative"});
    expect_error({"-t=0"}, {"--threshold/-t must be above 0"});
    expect_error({"-t=-2"}, {"--threshold/-t must be above 0, got -2"});
    expect_error({"-t=1e200"}, {"--threshold/-t", "too large"});
    expect_error({"-M=4294967296"}, {"--itermax/-M", "at most 4294967295"});
    expect_error({"--threads=1025"}, {"--threads", "at most 1024"});
    expect_error({"-x=-1e308", "-X=1e308"}, {"region is too large"});
}

TEST(CliOptions, ImagesTooLargeOrFlatSayHowLarge) {
    expect_error({"-R=100000000"},
                 {"100000000 x 62500000", "6.25e+15 pixels", "2^36", "--resolution/-R"});
    expect_error({"-R=2000000000"}, {"--resolution/-R must be at most 1073741824"});
    expect_error({"-R=1000", "-y=0", "-Y=1e12"},
                 {"3.125e+14 pixels tall", "3.2 wide and 1e+12 tall", "--resolution/-R 1000"});
    // A finite height over a subnormal width: the message gives the region, not "inf x inf".
    expect_error({"-R=64", "-x=0", "-X=1e-320"},
                 {"more than 1e308 pixels tall", "1e-320 wide and 2 tall", "--resolution/-R 64"});
    expect_error({"-R=1073741800", "-x=0", "-X=1", "-y=0", "-Y=1e-9", "--supersample=2"},
                 {"--supersample 2", "2147483600 samples a side", "--resolution/-R"});
    expect_error({"-R=10", "-y=0", "-Y=0.0001"}, {"0 pixels tall", "--resolution/-R"});
    // Large but legal: 2^18 x 2^18 = 2^36 pixels exactly.
    EXPECT_EQ(parse_ok({"-R=262144", "-x=0", "-X=1", "-y=0", "-Y=1"}).resolution, 262144u);
    expect_error({"-R=262145", "-x=0", "-X=1", "-y=0", "-Y=1"}, {"262145 x 262145"});
}

TEST(CliOptions, UnknownFlagsMissingValuesAndRepeats) {
    expect_error({"--bogus"}, {"unknown argument '--bogus'"});
    expect_error({"-q"}, {"unknown argument '-q'"});
    expect_error({"stray"}, {"unknown argument 'stray'"});
    expect_error({"-x"}, {"--xleft/-x needs a value"});
    expect_error({"--itermax"}, {"--itermax/-M needs a value"});
    expect_error({"-x", "-o", "f.png"}, {"--xleft/-x needs a value"});
    expect_error({"-R", "--fast"}, {"--resolution/-R needs a value"});
    expect_error({"-o"}, {"--output/-o needs a value"});
    expect_error({"--xleft=", "-R=5"}, {"--xleft/-x needs a value"});
    expect_error({"-x=", "-R=5"}, {"--xleft/-x", "''", "not a number"});
    expect_error({"-o="}, {"--output/-o needs a file name"});
    expect_error({"-x=1", "--xleft=2"}, {"--xleft/-x was given more than once"});
    expect_error({"--fast", "--best"}, {"--fast and --best cannot be used together"});
}

TEST(CliOptions, ArgcArgvSkipsTheProgramName) {
    const char* argv[] = {"juliaset", "-R=7", nullptr};
    const ParseResult result = juliaset::cli::parse_options(2, argv);
    ASSERT_TRUE(std::holds_alternative<Options>(result));
    EXPECT_EQ(std::get<Options>(result).resolution, 7u);
}


// --- the flags beyond the seed's -------------------------------------------------------------



using juliaset::Coloring;
using juliaset::Family;
using juliaset::cli::ImageRecord;
using juliaset::Precision;

TEST(CliOptions, NewFlagsDefaultToTheSeedsImage) {
    const Options options = parse_ok({});
    EXPECT_EQ(options.params.family, Family::julia);
    EXPECT_EQ(options.params.power, 2u);
    EXPECT_EQ(options.coloring, Coloring::count);
    EXPECT_EQ(options.colormap, "gray");
    EXPECT_EQ(options.bits, 8u);
    EXPECT_EQ(options.supersample, 1u);
    EXPECT_EQ(options.precision, Precision::exact);
    EXPECT_TRUE(options.from.empty());
    const juliaset::ImageSpec spec = juliaset::cli::image_spec(options);
    EXPECT_EQ(spec.format, juliaset::PixelFormat::gray8);
    EXPECT_TRUE(spec.colormap.is_gray_ramp());
}

TEST(CliOptions, NewValueFlagsInBothLongSpellings) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--power=5", "--colormap=magma_r", "--coloring=histogram", "--supersample=3",
              "--precision=single"},
             {"--power", "5", "--colormap", "magma_r", "--coloring", "histogram", "--supersample",
              "3", "--precision", "single"}}) {
        const Options options = parse_ok(args);
        EXPECT_EQ(options.params.power, 5u);
        EXPECT_EQ(options.colormap, "magma_r");
        EXPECT_EQ(options.coloring, Coloring::histogram);
        EXPECT_EQ(options.supersample, 3u);
        EXPECT_EQ(options.precision, Precision::single);
        EXPECT_EQ(juliaset::cli::image_spec(options).format, juliaset::PixelFormat::rgb8);
    }
    EXPECT_EQ(parse_ok({"--bits", "16"}).bits, 16u);
    EXPECT_EQ(juliaset::cli::image_spec(parse_ok({"--bits=16"})).format,
              juliaset::PixelFormat::gray16);
    EXPECT_EQ(parse_ok({"--smooth"}).coloring, Coloring::smooth);
    EXPECT_EQ(parse_ok({"--histogram"}).coloring, Coloring::histogram);
    EXPECT_EQ(parse_ok({"--coloring=smooth"}).coloring, Coloring::smooth);
    // Any colormap but gray is colour, gray_r included.
    EXPECT_EQ(juliaset::cli::image_spec(parse_ok({"--colormap=gray_r"})).format,
              juliaset::PixelFormat::rgb8);
}

TEST(CliOptions, MandelbrotHasItsOwnDefaultRegionAndNoC) {
    const Options options = parse_ok({"--mandelbrot"});
    EXPECT_EQ(options.params.family, Family::mandelbrot);
    EXPECT_EQ(options.region, (juliaset::Region{-2.0, 1.0, -1.0, 1.0}));
    // Each power has a region that frames its set (juliaset::default_region); the power may
    // come before or after --mandelbrot, and bounds given still replace it one by one.
    EXPECT_EQ(parse_ok({"--power=3", "--mandelbrot"}).region, (juliaset::Region{-0.8, 0.8, -1.45, 1.45}));
    EXPECT_EQ(parse_ok({"--mandelbrot", "--power=3", "-X=2"}).region,
              (juliaset::Region{-0.8, 2.0, -1.45, 1.45}));
    EXPECT_EQ(parse_ok({"--power=3"}).region, (juliaset::Region{-1.6, 1.6, -1.0, 1.0}));
    // Bounds given explicitly replace the default one by one.
    const Options zoomed = parse_ok({"--mandelbrot", "-x=-0.8", "-X=-0.7"});
    EXPECT_EQ(zoomed.region, (juliaset::Region{-0.8, -0.7, -1.0, 1.0}));
    EXPECT_EQ(parse_ok({"--julia"}).params.family, Family::julia);
    expect_error({"--mandelbrot", "-r=0.3"}, {"--real/-r", "--mandelbrot"});
    expect_error({"--mandelbrot", "--imag=0.3"}, {"--imag/-i", "--mandelbrot"});
    expect_error({"--mandelbrot", "--julia"}, {"--mandelbrot and --julia"});
}

TEST(CliOptions, BadValuesOfNewFlagsNameTheFlag) {
    expect_error({"--power=1"}, {"--power must be between 2 and 16, got 1"});
    expect_error({"--power=17"}, {"--power must be between 2 and 16, got 17"});
    expect_error({"--power=x"}, {"--power", "'x'", "not a whole number"});
    expect_error({"--supersample=0"}, {"--supersample must be between 1 and 16, got 0"});
    expect_error({"--supersample=17"}, {"--supersample must be between 1 and 16, got 17"});
    expect_error({"--bits=12"}, {"--bits must be 8 or 16, got 12"});
    expect_error({"--bits=16", "--colormap=viridis"}, {"--bits 16 needs --colormap gray"});
    expect_error({"--colormap=jet"}, {"--colormap", "unknown colormap 'jet'", "viridis"});
    expect_error({"--coloring=fancy"}, {"--coloring must be count, smooth or histogram"});
    expect_error({"--precision=half"}, {"--precision must be double or single, got 'half'"});
    expect_error({"--smooth", "--histogram"}, {"give one of them"});
    expect_error({"--smooth", "--coloring=count"}, {"give one of them"});
    expect_error({"--smooth", "-t=1"}, {"--smooth needs --threshold/-t above 1, got 1"});
    expect_error({"--smooth", "--precision=single"}, {"--precision single", "--smooth"});
    expect_error({"--precision=single", "-M=16777217"}, {"--precision single", "2^24"});
    expect_error({"--power"}, {"--power needs a value"});
    expect_error({"--from"}, {"--from needs a value"});
    expect_error({"--colormap", "--smooth"}, {"--colormap needs a value"});
    expect_error({"--power=3", "--power=4"}, {"--power was given more than once"});
    // 2^30 samples a side at most: 2^27 pixels wide supersampled 16 times is too many.
    expect_error({"-R=134217728", "-x=0", "-X=1", "-y=0", "-Y=1e-8", "--supersample=16"},
                 {"2147483648"});
}

ImageRecord sample_record() {
    ImageRecord record;
    record.engine = "juliaset 0.2.0";
    record.params.c_re = 0.285;
    record.params.c_im = 0.01;
    record.params.itermin = 3;
    record.params.itermax = 250;
    record.params.power = 3;
    record.region = {-1.5, 1.5, -1.0, 1.0};
    record.width = 300;
    record.height = 200;
    record.coloring = Coloring::smooth;
    record.colormap = "inferno";
    record.supersample = 2;
    return record;
}

juliaset::cli::ParseResult parse_from(const std::vector<std::string>& args,
                                      const ImageRecord& record) {
    return juliaset::cli::parse_options(args, [&](const std::string& path) {
        EXPECT_EQ(path, "a.png");
        return record;
    });
}

TEST(CliOptions, FromStartsFromTheRecordAndFlagsOverrideIt) {
    const ImageRecord record = sample_record();
    for (const auto& spelling : std::vector<std::vector<std::string>>{{"--from=a.png"},
                                                                      {"--from", "a.png"}}) {
        const auto result = parse_from(spelling, record);
        ASSERT_TRUE(std::holds_alternative<Options>(result));
        const Options& options = std::get<Options>(result);
        EXPECT_EQ(options.from, "a.png");
        EXPECT_EQ(options.resolution, 300u);
        ImageRecord again = juliaset::cli::image_record(options);
        EXPECT_EQ(again, record);
    }
    const auto result =
        parse_from({"--from=a.png", "-R=600", "--colormap=gray", "--coloring=count", "-r=0.3",
                    "--threads=2"},
                   record);
    ASSERT_TRUE(std::holds_alternative<Options>(result));
    const Options& options = std::get<Options>(result);
    EXPECT_EQ(options.resolution, 600u);
    EXPECT_EQ(options.colormap, "gray");
    EXPECT_EQ(options.coloring, Coloring::count);
    EXPECT_EQ(options.params.c_re, 0.3);
    EXPECT_EQ(options.params.c_im, 0.01);  // kept from the record
    EXPECT_EQ(options.params.power, 3u);
    EXPECT_EQ(options.supersample, 2u);
    EXPECT_EQ(options.threads, 2u);
    EXPECT_EQ(juliaset::cli::image_record(options).height, 400u);
}

TEST(CliOptions, FromReportsRecordsItCannotUse) {
    ImageRecord tall = sample_record();
    tall.height = 201;
    const auto mismatch = parse_from({"--from=a.png"}, tall);
    ASSERT_TRUE(std::holds_alternative<Exit>(mismatch));
    const std::string& message = std::get<Exit>(mismatch).message;
    EXPECT_NE(message.find("--from: 'a.png' is 300 x 201 pixels"), std::string::npos) << message;
    // Choosing the size explicitly is allowed.
    EXPECT_TRUE(std::holds_alternative<Options>(parse_from({"--from=a.png", "-R=300"}, tall)));

    const auto unreadable = juliaset::cli::parse_options(
        std::vector<std::string>{"--from=b.png"},
        [](const std::string&) -> ImageRecord {
            throw juliaset::cli::MetadataError("'b.png' carries no juliaset parameters");
        });
    ASSERT_TRUE(std::holds_alternative<Exit>(unreadable));
    EXPECT_EQ(std::get<Exit>(unreadable).status, juliaset::cli::exit_usage_error);
    EXPECT_EQ(std::get<Exit>(unreadable).message,
              "juliaset: error: --from: 'b.png' carries no juliaset parameters");

    ImageRecord bad = sample_record();
    bad.colormap = "cividis";
    const auto unknown = parse_from({"--from=a.png"}, bad);
    ASSERT_TRUE(std::holds_alternative<Exit>(unknown));
    EXPECT_NE(std::get<Exit>(unknown).message.find("'cividis'"), std::string::npos);
}

TEST(CliOptions, HelpDocumentsTheNewFlagsWithDefaultsAndExamples) {
    const std::string help = juliaset::cli::help_text();
    for (const char* text :
         {"--mandelbrot", "--julia", "--power D", "[default: 2]", "--colormap NAME",
          "[default: gray]", "--smooth", "--histogram", "--supersample N", "[default: 1]",
          "--bits 8|16", "[default: 8]", "--precision double|single", "[default: double]",
          "NOT bit-exact", "--from PNG", "[default: none]", "e.g. --colormap=magma",
          "juliaset --mandelbrot --power=3 --colormap=twilight --histogram -o multibrot.png"}) {
        EXPECT_NE(help.find(text), std::string::npos) << text;
    }
}

}  // namespace
