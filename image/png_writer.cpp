// Streaming parallel PNG encoder: bands of rows are deflated independently and joined.
#include "png_writer.hpp"

#include "deflate_join.hpp"
#include "deflate_runs.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "juliaset/render.hpp"

namespace juliaset::png {

namespace {

constexpr std::array<std::uint8_t, 8> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
// PNG caps chunk lengths and image sides at 2^31 - 1.
constexpr std::size_t max_png_length = 0x7FFFFFFF;
// A band holds about this many bytes of pixels: many bands for load balance, yet each long
// enough that starting a fresh deflate window (and fetching one row above) costs well under 1 %
// in size and time. Rows wider than this are cut into pieces.
constexpr std::size_t band_target_bytes = std::size_t{256} << 10;
// Row edges kept for the Up filter of the bands below them: beyond this, a band whose row
// above has left the ring renders it again.
constexpr std::size_t edge_budget_bytes = std::size_t{64} << 20;
// zlib counts its input and output in `uInt`; feed it in pieces well below that.
constexpr std::size_t max_zlib_piece = std::size_t{1} << 30;

void put_u32(std::uint8_t* out, std::uint32_t value) noexcept {
    out[0] = static_cast<std::uint8_t>(value >> 24);
    out[1] = static_cast<std::uint8_t>(value >> 16);
    out[2] = static_cast<std::uint8_t>(value >> 8);
    out[3] = static_cast<std::uint8_t>(value);
}

// libdeflate's checksums take any length and use the CPU's vector units: zlib's adler32 took
// 2.4 % of the headline CLI run's CPU samples, libdeflate's takes under 0.2 %.
// libdeflate reads a null buffer as "start afresh" and returns the initial value, and an empty
// span's data() may be null: no bytes must leave the running value as it is.
std::uint32_t crc_of(std::uint32_t crc, std::span<const std::uint8_t> bytes) noexcept {
    return bytes.empty() ? crc : libdeflate_crc32(crc, bytes.data(), bytes.size());
}

constexpr std::uint32_t adler_initial = 1;  // RFC 1950: the Adler-32 of no bytes

std::uint32_t adler_of(std::uint32_t adler, std::span<const std::uint8_t> bytes) noexcept {
    return bytes.empty() ? adler : libdeflate_adler32(adler, bytes.data(), bytes.size());
}

// Emits one chunk: length, type, data, CRC of type and data. Data longer than a chunk may hold
// is only legal for IDAT, whose data PNG defines as the concatenation of all IDAT chunks.
void emit_chunk(const ByteSink& sink, const char (&type)[5], std::span<const std::uint8_t> data) {
    std::array<std::uint8_t, 8> head{};
    std::array<std::uint8_t, 4> tail{};
    const auto type_bytes = std::span(reinterpret_cast<const std::uint8_t*>(type), 4);
    std::size_t done = 0;
    do {
        const std::size_t piece = std::min(data.size() - done, max_png_length);
        const auto part = data.subspan(done, piece);
        put_u32(head.data(), static_cast<std::uint32_t>(piece));
        std::memcpy(head.data() + 4, type, 4);
        put_u32(tail.data(), crc_of(crc_of(0, type_bytes), part));
        sink(head);
        if (!part.empty()) sink(part);
        sink(tail);
        done += piece;
    } while (done < data.size());
}

int zlib_strategy(Strategy strategy) {
    switch (strategy) {
        case Strategy::standard: return Z_DEFAULT_STRATEGY;
        case Strategy::filtered: return Z_FILTERED;
        case Strategy::run_length: return Z_RLE;
        case Strategy::huffman_only: return Z_HUFFMAN_ONLY;
        case Strategy::runs:
        case Strategy::libdeflate: break;  // not zlib strategies: compress_band never asks
    }
    throw std::invalid_argument("unknown compression strategy");
}

// The two-byte zlib header (RFC 1950) for a 32 KiB window, with the level hint zlib itself
// would write, so the joined stream looks like one produced by deflate().
std::array<std::uint8_t, 2> zlib_header(int level) noexcept {
    const int level_hint = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
    const unsigned cmf = 0x78;
    unsigned flg = static_cast<unsigned>(level_hint) << 6;
    flg += 31 - (cmf * 256 + flg) % 31;  // FCHECK makes the 16-bit header a multiple of 31
    return {static_cast<std::uint8_t>(cmf), static_cast<std::uint8_t>(flg)};
}

// One compressed band: its deflate bytes and the Adler-32 and length of what they encode.
struct CompressedBand {
    std::vector<std::uint8_t> data;
    std::uint32_t adler = 1;
    std::size_t raw_length = 0;
};

// A raw deflate stream that owns its z_stream and appends to a byte vector. The vector is
// kept at its full allocated size while compressing (only `used_` bytes count), so growing it
// zero-fills each byte once instead of once per deflate call.
class RawDeflater {
public:
    RawDeflater(const Compression& compression, std::vector<std::uint8_t>& out)
        : out_(out), used_(out.size()) {
        // Negative window bits: raw deflate, no header or trailer; the bands share one.
        const int status = deflateInit2(&stream_, compression.level, Z_DEFLATED, -15, 9,
                                        zlib_strategy(compression.strategy));
        if (status == Z_MEM_ERROR) throw std::bad_alloc();
        if (status != Z_OK) throw std::invalid_argument("zlib rejected the compression settings");
    }
    RawDeflater(const RawDeflater&) = delete;
    RawDeflater& operator=(const RawDeflater&) = delete;
    ~RawDeflater() { deflateEnd(&stream_); }

    /// Trims the output vector to the bytes written; call after the last feed().
    void finish() { out_.resize(used_); }

    /// Makes room for about `bytes` more output up front, so deflate rarely waits for memory.
    void expect_output(std::size_t bytes) {
        grow_to(used_ + std::min(bytes, std::size_t{64} << 20));
    }

    void feed(std::span<const std::uint8_t> input, int flush) {
        std::size_t done = 0;
        for (;;) {
            const std::size_t piece = std::min(input.size() - done, max_zlib_piece);
            stream_.next_in = const_cast<Bytef*>(input.data() + done);  // zlib's API is not const
            stream_.avail_in = static_cast<uInt>(piece);
            const bool last_piece = done + piece == input.size();
            const int piece_flush = last_piece ? flush : Z_NO_FLUSH;
            for (;;) {
                if (out_.size() - used_ < 64) {
                    grow_to(used_ + std::max<std::size_t>(used_ / 2, 65536));
                }
                const std::size_t room = std::min(out_.size() - used_, max_zlib_piece);
                stream_.next_out = out_.data() + used_;
                stream_.avail_out = static_cast<uInt>(room);
                const int status = deflate(&stream_, piece_flush);
                used_ += room - stream_.avail_out;
                if (status == Z_STREAM_END) return;
                if (status != Z_OK && status != Z_BUF_ERROR) {
                    throw std::runtime_error("zlib deflate failed");
                }
                // Done with this piece once zlib took all input and had output space to spare:
                // then every requested flush has been carried out too.
                if (stream_.avail_in == 0 && stream_.avail_out != 0) break;
            }
            done += piece;
            if (last_piece) return;
        }
    }

private:
    void grow_to(std::size_t size) {
        if (size > out_.size()) out_.resize(size);
    }

    z_stream stream_{};
    std::vector<std::uint8_t>& out_;
    std::size_t used_;
};

// Bands finished by the compressing threads, handed to the writing thread in image order.
// A band may start only when it is fewer than `capacity` bands ahead of the writer, which
// bounds memory however slow the sink is.
class BandQueue {
public:
    BandQueue(std::size_t band_count, std::size_t capacity)
        : slots_(capacity), band_count_(band_count) {}

    /// Blocks until band `index` may be computed; false if the encode was aborted.
    bool wait_for_room(std::size_t index) {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [&] { return aborted_ || index < next_to_write_ + slots_.size(); });
        return !aborted_;
    }

    void put(std::size_t index, CompressedBand band) {
        {
            const std::lock_guard lock(mutex_);
            slots_[index % slots_.size()] = std::move(band);
        }
        ready_.notify_one();
    }

    /// The next band in image order, or nothing once aborted.
    std::optional<CompressedBand> take_next() {
        std::unique_lock lock(mutex_);
        auto& slot = slots_[next_to_write_ % slots_.size()];
        ready_.wait(lock, [&] { return aborted_ || slot.has_value(); });
        if (aborted_) return std::nullopt;
        std::optional<CompressedBand> band = std::exchange(slot, std::nullopt);
        ++next_to_write_;
        lock.unlock();
        room_.notify_all();
        return band;
    }

    void abort() {
        {
            const std::lock_guard lock(mutex_);
            aborted_ = true;
        }
        abort_flag_.store(true);
        room_.notify_all();
        ready_.notify_all();
    }

    [[nodiscard]] const std::atomic<bool>* abort_flag() const noexcept { return &abort_flag_; }
    [[nodiscard]] std::size_t band_count() const noexcept { return band_count_; }

private:
    std::mutex mutex_;
    std::condition_variable room_;
    std::condition_variable ready_;
    std::vector<std::optional<CompressedBand>> slots_;
    std::size_t next_to_write_ = 0;
    std::size_t band_count_;
    bool aborted_ = false;
    std::atomic<bool> abort_flag_{false};
};

// The last row of recently computed bands (of their columns, for a band that is a piece of a
// row). With the Up filter a band's first row is filtered against the row above it, which
// belongs to an earlier band; the band takes that row from here when its neighbour has
// finished (the usual case: bands start in order) and computes it itself otherwise. Either way
// the row's bytes are the same, so the file does not depend on timing. Slots are reused
// round-robin, `capacity` bands apart, and are touched only when used.
class BandEdges {
public:
    BandEdges(std::size_t capacity, std::size_t slot_bytes)
        : slot_bytes_(slot_bytes),
          owner_(capacity, none),
          rows_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity * slot_bytes)) {}

    void publish(std::size_t band, std::span<const std::uint8_t> last_row) {
        const std::size_t slot = band % owner_.size();
        const std::lock_guard lock(mutex_);
        std::memcpy(rows_.get() + slot * slot_bytes_, last_row.data(), last_row.size());
        owner_[slot] = band;
    }

    /// Copies band `band`'s last row into `out`; false if it is not (or no longer) here.
    bool fetch(std::size_t band, std::span<std::uint8_t> out) const {
        const std::size_t slot = band % owner_.size();
        const std::lock_guard lock(mutex_);
        if (owner_[slot] != band) return false;
        std::memcpy(out.data(), rows_.get() + slot * slot_bytes_, out.size());
        return true;
    }

private:
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::size_t slot_bytes_;
    mutable std::mutex mutex_;
    std::vector<std::size_t> owner_;  // the band whose row each slot holds
    std::unique_ptr<std::uint8_t[]> rows_;
};

// Where band `index` lies: rows_per_band rows of whole width, or, for rows cut into pieces,
// one row's columns [first_column, first_column + column_count).
struct BandLayout {
    std::size_t rows_per_band = 1;
    std::size_t columns_per_band = 1;
    std::size_t pieces_per_row = 1;
    std::size_t band_count = 0;

    BandLayout(const ImageFormat& format, const EncodeOptions& options) {
        const std::size_t pixel_bytes = format.row_bytes() / format.width;
        columns_per_band = options.columns_per_band != 0
                               ? options.columns_per_band
                               : std::max<std::size_t>(band_target_bytes / pixel_bytes, 1);
        columns_per_band = std::min<std::size_t>(columns_per_band, format.width);
        pieces_per_row = (format.width + columns_per_band - 1) / columns_per_band;
        rows_per_band = pieces_per_row > 1                ? 1
                        : options.rows_per_band != 0 ? options.rows_per_band
                                                     : default_rows_per_band(format);
        band_count = (format.height + rows_per_band - 1) / rows_per_band * pieces_per_row;
    }

    struct Band {
        std::size_t first_row, row_count, first_column, column_count;
    };
    [[nodiscard]] Band band(const ImageFormat& format, std::size_t index) const noexcept {
        const std::size_t first_row = index / pieces_per_row * rows_per_band;
        const std::size_t first_column = index % pieces_per_row * columns_per_band;
        return {first_row, std::min<std::size_t>(rows_per_band, format.height - first_row),
                first_column, std::min<std::size_t>(columns_per_band, format.width - first_column)};
    }
};

// Filters and compresses band `band_index`.
CompressedBand compress_band(const ImageFormat& format, const PieceSource& source,
                             const Compression& compression, const BandLayout& layout,
                             std::size_t band_index, BandEdges& edges) {
    const auto [first_row, row_count, first_column, column_count] = layout.band(format, band_index);
    const bool is_last_band = band_index + 1 == layout.band_count;
    const std::size_t piece_bytes = column_count * (format.row_bytes() / format.width);
    const std::size_t context_rows = (compression.filter == RowFilter::up && first_row > 0) ? 1 : 0;
    // Not zero-filled: the source (or the neighbour's copy) overwrites every byte.
    const std::size_t fetched_bytes = (row_count + context_rows) * piece_bytes;
    const auto storage = std::make_unique_for_overwrite<std::uint8_t[]>(fetched_bytes);
    const std::span<std::uint8_t> rows(storage.get(), fetched_bytes);
    const std::span<std::uint8_t> own_rows = rows.subspan(context_rows * piece_bytes);
    source(first_row, row_count, first_column, column_count, own_rows);
    if (compression.filter == RowFilter::up && first_row + row_count < format.height) {
        edges.publish(band_index, own_rows.last(piece_bytes));
    }
    const std::size_t band_above = band_index - layout.pieces_per_row;  // same columns
    if (context_rows != 0 && !edges.fetch(band_above, rows.first(piece_bytes))) {
        source(first_row - 1, 1, first_column, column_count, rows.first(piece_bytes));
    }

    // A row's filter byte goes before its first piece; every piece of a row filters alike.
    const std::size_t filter_byte = first_column == 0 ? 1 : 0;
    const std::size_t filtered_bytes = piece_bytes + filter_byte;
    CompressedBand band;
    band.raw_length = row_count * filtered_bytes;
    if (band_index == 0) {
        const auto header = zlib_header(compression.strategy == Strategy::libdeflate
                                            ? std::min(compression.level, 9)
                                            : compression.level);
        band.data.assign(header.begin(), header.end());
    }
    // Writes row `r` of the band, with its filter byte if it has one, into `filtered`.
    const auto filter_row = [&](std::size_t r, std::uint8_t* filtered) {
        const std::uint8_t* row = rows.data() + (r + context_rows) * piece_bytes;
        const bool has_row_above = r + context_rows > 0;
        if (compression.filter == RowFilter::up && has_row_above) {
            const std::uint8_t* above = row - piece_bytes;
            if (filter_byte != 0) filtered[0] = static_cast<std::uint8_t>(RowFilter::up);
            std::uint8_t* dest = filtered + filter_byte;
            for (std::size_t b = 0; b < piece_bytes; ++b) {
                dest[b] = static_cast<std::uint8_t>(row[b] - above[b]);
            }
        } else {
            // The image's top row: Up against the implied zero row is the row itself.
            if (filter_byte != 0) filtered[0] = static_cast<std::uint8_t>(RowFilter::none);
            std::memcpy(filtered + filter_byte, row, piece_bytes);
        }
    };

    if (compression.strategy == Strategy::runs || compression.strategy == Strategy::libdeflate) {
        // These encoders take the whole band at once (the run encoder fits its codes to it).
        const auto filtered = std::make_unique_for_overwrite<std::uint8_t[]>(band.raw_length);
        for (std::size_t r = 0; r < row_count; ++r) filter_row(r, filtered.get() + r * filtered_bytes);
        const std::span<const std::uint8_t> all(filtered.get(), band.raw_length);
        band.adler = adler_of(adler_initial, all);
        if (compression.strategy == Strategy::runs) {
            deflate_runs(all, is_last_band, band.data);
        } else {
            deflate_libdeflate(all, compression.level, is_last_band, band.data);
        }
        return band;
    }

    RawDeflater deflater(compression, band.data);
    deflater.expect_output(band.raw_length / 4);
    std::vector<std::uint8_t> filtered(filtered_bytes);
    std::uint32_t adler = adler_initial;
    for (std::size_t r = 0; r < row_count; ++r) {
        filter_row(r, filtered.data());
        adler = adler_of(adler, filtered);
        const bool band_ends = r + 1 == row_count;
        const int flush = !band_ends ? Z_NO_FLUSH : is_last_band ? Z_FINISH : Z_SYNC_FLUSH;
        deflater.feed(filtered, flush);
    }
    deflater.finish();
    band.adler = adler;
    return band;
}

void check_text_chunk(const TextChunk& chunk) {
    const auto& keyword = chunk.keyword;
    if (keyword.empty() || keyword.size() > 79) {
        throw std::invalid_argument("a PNG text keyword must have 1 to 79 characters, got " +
                                    std::to_string(keyword.size()));
    }
    for (const char ch : keyword) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 32 || (byte > 126 && byte < 161)) {
            throw std::invalid_argument("PNG text keyword '" + keyword +
                                        "' has a character outside printable Latin-1");
        }
    }
    if (keyword.front() == ' ' || keyword.back() == ' ' ||
        keyword.find("  ") != std::string::npos) {
        throw std::invalid_argument("PNG text keyword '" + keyword +
                                    "' has leading, trailing or double spaces");
    }
    if (chunk.text.find('\0') != std::string::npos) {
        throw std::invalid_argument("the text of PNG keyword '" + keyword +
                                    "' contains a NUL byte");
    }
}

void check_options(const EncodeOptions& options) {
    const Compression& c = options.compression;
    if (c.strategy == Strategy::libdeflate && (c.level < 1 || c.level > 12)) {
        throw std::invalid_argument("libdeflate compression level must be 1..12, got " +
                                    std::to_string(c.level));
    }
    if (c.strategy != Strategy::libdeflate && (c.level < 0 || c.level > 9)) {
        throw std::invalid_argument("zlib compression level must be 0..9, got " +
                                    std::to_string(c.level));
    }
    if (c.filter != RowFilter::none && c.filter != RowFilter::up) {
        throw std::invalid_argument("unsupported PNG row filter");
    }
}

}  // namespace

std::size_t ImageFormat::channels() const noexcept {
    switch (color_type) {
        case ColorType::gray: return 1;
        case ColorType::gray_alpha: return 2;
        case ColorType::rgb: return 3;
        case ColorType::rgba: return 4;
    }
    return 0;
}

std::size_t ImageFormat::row_bytes() const noexcept {
    return static_cast<std::size_t>(width) * channels() * (bit_depth / 8);
}

void ImageFormat::validate() const {
    if (width == 0 || height == 0 || width > max_png_length || height > max_png_length) {
        throw std::invalid_argument("PNG width and height must be 1 to 2147483647, got " +
                                    std::to_string(width) + " x " + std::to_string(height));
    }
    if (bit_depth != 8 && bit_depth != 16) {
        throw std::invalid_argument("PNG bit depth must be 8 or 16, got " +
                                    std::to_string(bit_depth));
    }
    if (channels() == 0) throw std::invalid_argument("unsupported PNG colour type");
    for (const TextChunk& chunk : text) check_text_chunk(chunk);
}

std::size_t default_rows_per_band(const ImageFormat& format) noexcept {
    const std::size_t row_bytes = std::max<std::size_t>(format.row_bytes(), 1);
    return std::clamp<std::size_t>(band_target_bytes / row_bytes, 1, 128);
}

Compression preset_for(const Compression& compression, ColorType type) noexcept {
    if (type == ColorType::gray) return compression;
    if (compression == Compression::fast()) return Compression::colour_fast();
    if (compression == Compression::balanced()) return Compression::colour_balanced();
    if (compression == Compression::best()) return Compression::colour_best();
    return compression;
}

void write_png(const ImageFormat& format, const PieceSource& source, const ByteSink& sink,
               const EncodeOptions& options) {
    format.validate();
    check_options(options);
    const Compression compression = options.compression;
    const BandLayout layout(format, options);
    const std::size_t band_count = layout.band_count;
    // More threads than bands would only wait.
    const auto threads = static_cast<unsigned>(
        std::min<std::size_t>(resolve_thread_count(options.threads), band_count));
    const std::size_t in_flight = options.bands_in_flight != 0
                                      ? options.bands_in_flight
                                      : std::max<std::size_t>(2 * std::size_t{threads}, 2);

    sink(signature);
    std::array<std::uint8_t, 13> header{};
    put_u32(header.data(), format.width);
    put_u32(header.data() + 4, format.height);
    header[8] = format.bit_depth;
    header[9] = static_cast<std::uint8_t>(format.color_type);
    header[10] = 0;  // compression method: deflate
    header[11] = 0;  // filter method: adaptive, five filter types
    header[12] = 0;  // no interlace
    emit_chunk(sink, "IHDR", header);
    for (const TextChunk& chunk : format.text) {
        std::vector<std::uint8_t> body(chunk.keyword.begin(), chunk.keyword.end());
        body.push_back(0);
        body.insert(body.end(), chunk.text.begin(), chunk.text.end());
        emit_chunk(sink, "tEXt", body);
    }

    BandQueue queue(band_count, in_flight);
    // Enough slots that the band above is usually still there (it is pieces_per_row bands
    // back), within the edge budget.
    const std::size_t slot_bytes = layout.columns_per_band * (format.row_bytes() / format.width);
    const std::size_t edge_slots = std::max<std::size_t>(
        std::min(layout.pieces_per_row + in_flight + 1, edge_budget_bytes / slot_bytes),
        in_flight + 1);
    BandEdges edges(edge_slots, slot_bytes);
    std::exception_ptr worker_error;
    // The workers run beside the calling thread, which stays free to write bands in order.
    std::jthread workers([&] {
        try {
            parallel_for(
                band_count, threads,
                [&](std::size_t band) {
                    if (!queue.wait_for_room(band)) return;
                    try {
                        queue.put(band, compress_band(format, source, compression, layout, band,
                                                      edges));
                    } catch (...) {
                        queue.abort();  // wake the writer and the waiting workers at once
                        throw;
                    }
                },
                queue.abort_flag());
        } catch (const Cancelled&) {
            // Raised by our own abort(): the writer already knows why.
        } catch (...) {
            worker_error = std::current_exception();
            queue.abort();
        }
    });

    std::uint32_t adler = adler_initial;
    std::size_t written = 0;
    try {
        for (std::size_t band = 0; band < band_count; ++band, ++written) {
            std::optional<CompressedBand> next = queue.take_next();
            if (!next) break;
            adler = static_cast<std::uint32_t>(
                adler32_combine(adler, next->adler, static_cast<z_off_t>(next->raw_length)));
            if (band + 1 == band_count) {
                std::array<std::uint8_t, 4> trailer{};
                put_u32(trailer.data(), adler);
                next->data.insert(next->data.end(), trailer.begin(), trailer.end());
            }
            emit_chunk(sink, "IDAT", next->data);
        }
    } catch (...) {
        queue.abort();
        workers.join();
        throw;
    }
    workers.join();
    if (worker_error) std::rethrow_exception(worker_error);
    if (written != band_count) throw std::logic_error("PNG encode stopped before its last band");
    emit_chunk(sink, "IEND", {});
}

void write_png(const ImageFormat& format, const RowSource& source, const ByteSink& sink,
               const EncodeOptions& options) {
    const std::size_t row_bytes = format.row_bytes();
    const std::size_t pixel_bytes = format.width == 0 ? 0 : row_bytes / format.width;
    write_png(
        format,
        [&](std::size_t first_row, std::size_t row_count, std::size_t first_column,
            std::size_t column_count, std::span<std::uint8_t> out) {
            if (column_count == format.width) {
                source(first_row, row_count, out);
                return;
            }
            std::vector<std::uint8_t> whole(row_count * row_bytes);
            source(first_row, row_count, whole);
            const std::size_t piece_bytes = column_count * pixel_bytes;
            for (std::size_t r = 0; r < row_count; ++r) {
                std::memcpy(out.data() + r * piece_bytes,
                            whole.data() + r * row_bytes + first_column * pixel_bytes, piece_bytes);
            }
        },
        sink, options);
}

std::vector<std::uint8_t> encode_png(const ImageFormat& format,
                                     std::span<const std::uint8_t> pixels,
                                     const EncodeOptions& options) {
    format.validate();
    const std::size_t row_bytes = format.row_bytes();
    if (pixels.size() != row_bytes * format.height) {
        throw std::invalid_argument("pixel buffer holds " + std::to_string(pixels.size()) +
                                    " bytes, a " + std::to_string(format.width) + " x " +
                                    std::to_string(format.height) + " image needs " +
                                    std::to_string(row_bytes * format.height));
    }
    std::vector<std::uint8_t> file;
    const std::size_t pixel_bytes = row_bytes / format.width;
    write_png(
        format,
        [&](std::size_t first_row, std::size_t row_count, std::size_t first_column,
            std::size_t column_count, std::span<std::uint8_t> out) {
            const std::size_t piece_bytes = column_count * pixel_bytes;
            for (std::size_t r = 0; r < row_count; ++r) {
                std::memcpy(out.data() + r * piece_bytes,
                            pixels.data() + (first_row + r) * row_bytes + first_column * pixel_bytes,
                            piece_bytes);
            }
        },
        [&](std::span<const std::uint8_t> bytes) {
            file.insert(file.end(), bytes.begin(), bytes.end());
        },
        options);
    return file;
}

}  // namespace juliaset::png
