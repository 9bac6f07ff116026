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
    expect_error({"-x=1e999"}, {"--xleft/-x", "out of the range"});
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
    expect_error({"-R=1000", "-y=0", "-Y=1e12"}, {"1000 x", "pixels", "2^30"});
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

}  // namespace
