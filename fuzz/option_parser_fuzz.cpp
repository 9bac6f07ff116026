// libFuzzer target: the command line. The input is the argument list, one argument per
// NUL-separated field. `--from VALUE` is served by a RecordSource that decodes VALUE itself as
// a JSON record, so the fuzzer reaches the merge of a record with the flags beside it without
// touching a file (the record reader has png_record_fuzz).
//
// Promises checked: parse_options never throws; it stops with status 0 (help, version) or 2
// and a "juliaset: error:" line; whatever it accepts the core accepts too; the record of
// accepted options round-trips through JSON, and `--from` that record gives the same image.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_checks.hpp"
#include "metadata.hpp"
#include "options.hpp"

namespace {

using namespace juliaset;
using juliaset::fuzz::require;

cli::ImageRecord record_in_argument(const std::string& json) { return cli::record_from_json(json); }

void check_exit(const cli::Exit& exit) {
    require(exit.status == 0 || exit.status == cli::exit_usage_error, "exit status is 0 or 2");
    if (exit.status != 0) {
        require(exit.message.rfind("juliaset: error: ", 0) == 0,
                "an error message starts with \"juliaset: error: \"");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args;
    const char* const text = reinterpret_cast<const char*>(data);
    for (std::size_t start = 0; start < size;) {
        std::size_t end = start;
        while (end < size && text[end] != '\0') ++end;
        args.emplace_back(text + start, end - start);
        start = end + 1;
    }

    const cli::ParseResult parsed = cli::parse_options(args, record_in_argument);
    if (const auto* exit = std::get_if<cli::Exit>(&parsed)) {
        check_exit(*exit);
        return 0;
    }
    const cli::Options& options = std::get<cli::Options>(parsed);

    // What the command line accepted, the core accepts: these throw otherwise.
    options.params.validate();
    const ImageSpec spec = cli::image_spec(options);
    spec.validate(options.params);
    const PixelGrid grid(options.region, options.resolution);
    (void)sample_grid(grid, options.supersample);

    const cli::ImageRecord record = cli::image_record(options);
    juliaset::fuzz::require_round_trip(record);
    const std::vector<std::string> again = {"--from", cli::record_to_json(record)};
    const cli::ParseResult reparsed = cli::parse_options(again, record_in_argument);
    require(std::holds_alternative<cli::Options>(reparsed), "--from an accepted record is accepted");
    require(cli::image_record(std::get<cli::Options>(reparsed)) == record,
            "--from an image's record renders the same image");
    return 0;
}
