// libFuzzer target: the input is a PNG file, read with read_image_record (the reader behind
// `--from`: chunk walk, CRCs, the "juliaset" tEXt chunk, the JSON record). The file lives in a
// memfd, named by its /proc/self/fd path, so the real path-taking entry point is what runs.
//
// Promises checked: nothing but MetadataError comes out; a record read back round-trips.
// A custom mutator repairs the chunk CRCs of most mutants (the CRC would stop nearly every
// mutation at the first chunk), and leaves the rest as mutated to reach the mismatch path.
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_checks.hpp"
#include "metadata.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

std::uint32_t get_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

/// Recomputes the CRC of every whole chunk after the 8-byte signature.
void repair_crcs(std::uint8_t* data, std::size_t size) {
    for (std::size_t at = 8; at + 12 <= size;) {
        const std::uint32_t length = get_u32(data + at);
        if (length > size - at - 12) return;
        const auto crc = static_cast<std::uint32_t>(crc32(0, data + at + 4, length + 4));
        std::uint8_t* stored = data + at + 8 + length;
        stored[0] = static_cast<std::uint8_t>(crc >> 24);
        stored[1] = static_cast<std::uint8_t>(crc >> 16);
        stored[2] = static_cast<std::uint8_t>(crc >> 8);
        stored[3] = static_cast<std::uint8_t>(crc);
        at += std::size_t{length} + 12;
    }
}

/// The memfd the inputs are written to, and its path.
struct InputFile {
    int fd = memfd_create("png_record_fuzz", 0);
    std::string path = "/proc/self/fd/" + std::to_string(fd);
};

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
    size = LLVMFuzzerMutate(data, size, max_size);
    if (seed % 8 != 0) repair_crcs(data, size);
    return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using juliaset::fuzz::require;
    static const InputFile file;
    require(file.fd >= 0, "memfd_create works");
    require(ftruncate(file.fd, 0) == 0, "ftruncate works");
    for (std::size_t done = 0; done < size;) {
        const ssize_t wrote = pwrite(file.fd, data + done, size - done, static_cast<off_t>(done));
        require(wrote > 0, "pwrite works");
        done += static_cast<std::size_t>(wrote);
    }
    juliaset::cli::ImageRecord record;
    try {
        record = juliaset::cli::read_image_record(file.path);
    } catch (const juliaset::cli::MetadataError&) {
        return 0;
    }
    juliaset::fuzz::require_round_trip(record);
    return 0;
}
