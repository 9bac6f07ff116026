// libFuzzer target: the JSON record decoder (record_from_json), then the checks `--from`
// applies to a decoded record.
//
// Promises checked: record_from_json throws nothing but MetadataError; a decoded record
// round-trips through record_to_json; `--from` accepts it or refuses it with status 2 and a
// "juliaset: error:" line, and an accepted record renders the image it describes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_checks.hpp"
#include "metadata.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace juliaset;
    using juliaset::fuzz::require;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    cli::ImageRecord record;
    try {
        record = cli::record_from_json(text);
    } catch (const cli::MetadataError&) {
        return 0;
    }
    juliaset::fuzz::require_round_trip(record);

    const std::vector<std::string> args = {"--from", "fuzzed.png"};
    const cli::ParseResult parsed =
        cli::parse_options(args, [&record](const std::string&) { return record; });
    if (const auto* exit = std::get_if<cli::Exit>(&parsed)) {
        require(exit->status == cli::exit_usage_error, "a refused record exits with status 2");
        require(exit->message.rfind("juliaset: error: ", 0) == 0,
                "a refused record's message starts with \"juliaset: error: \"");
        return 0;
    }
    const cli::Options& options = std::get<cli::Options>(parsed);
    cli::image_spec(options).validate(options.params);
    cli::ImageRecord rendered = cli::image_record(options);
    rendered.engine = record.engine;
    require(rendered == record, "an accepted record renders the image it describes");
    return 0;
}
