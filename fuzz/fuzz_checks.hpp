// Checks shared by the libFuzzer targets: a broken promise stops the run like a crash, with a
// line saying which promise, so that libFuzzer saves the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "metadata.hpp"

namespace juliaset::fuzz {

inline void require(bool holds, const char* promise) {
    if (holds) return;
    std::fprintf(stderr, "fuzz check failed: %s\n", promise);
    std::abort();
}

/// A decoded record written back as JSON must decode to the same record (the round trip
/// record_to_json documents). An empty engine is written as this version's name.
inline void require_round_trip(const cli::ImageRecord& record) {
    cli::ImageRecord back = cli::record_from_json(cli::record_to_json(record));
    if (record.engine.empty()) back.engine.clear();
    require(back == record, "record_from_json(record_to_json(record)) == record");
}

}  // namespace juliaset::fuzz
