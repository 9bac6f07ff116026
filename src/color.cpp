// Colouring: values in [0, 1] per sample, colour, average over the supersamples, quantise.
#include "juliaset/color.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "juliaset/fields.hpp"
#include "bands.hpp"
#include "pixel_store.hpp"
#include "escape_kernels.hpp"

namespace juliaset {

namespace {

#include "colormap_data.inc"

struct NamedSamples {
    const char* name;
    const float (*samples)[3];
};

constexpr NamedSamples builtin_colormaps[] = {
    {"viridis", viridis_samples}, {"magma", magma_samples},       {"inferno", inferno_samples},
    {"plasma", plasma_samples},   {"twilight", twilight_samples},
};

std::vector<Rgb> colours_of(const float (*samples)[3], bool reversed) {
    std::vector<Rgb> colours(Colormap::size);
    for (std::size_t i = 0; i < Colormap::size; ++i) {
        const float* s = samples[reversed ? Colormap::size - 1 - i : i];
        colours[i] = {s[0], s[1], s[2]};
    }
    return colours;
}

constexpr std::uint32_t max_supersample = 16;

}  // namespace

Colormap::Colormap() : name_("gray") {}

Colormap::Colormap(std::string name, std::span<const Rgb> colours) : name_(std::move(name)) {
    if (colours.size() != size) {
        throw std::invalid_argument("a colormap needs " + std::to_string(size) + " colours, got " +
                                    std::to_string(colours.size()));
    }
    for (const Rgb& c : colours) {
        for (const double channel : {c.r, c.g, c.b}) {
            if (!(channel >= 0.0 && channel <= 1.0)) {
                throw std::invalid_argument("colormap channels must lie in [0, 1]");
            }
        }
    }
    colours_.assign(colours.begin(), colours.end());
}

Colormap Colormap::named(std::string_view name) {
    const bool reversed = name.size() > 2 && name.substr(name.size() - 2) == "_r";
    const std::string_view base = reversed ? name.substr(0, name.size() - 2) : name;
    if (base == "gray") {
        if (!reversed) return Colormap();
        std::vector<Rgb> ramp(size);
        for (std::size_t i = 0; i < size; ++i) {
            const double level = 1.0 - static_cast<double>(i) / (size - 1);
            ramp[i] = {level, level, level};
        }
        return Colormap(std::string(name), ramp);
    }
    for (const NamedSamples& builtin : builtin_colormaps) {
        if (base == builtin.name) {
            return Colormap(std::string(name), colours_of(builtin.samples, reversed));
        }
    }
    std::string known;
    for (const std::string& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown colormap '" + std::string(name) + "'; known: " + known);
}

std::vector<std::string> Colormap::names() {
    std::vector<std::string> result{"gray"};
    for (const NamedSamples& builtin : builtin_colormaps) result.emplace_back(builtin.name);
    const std::size_t forward = result.size();
    for (std::size_t i = 0; i < forward; ++i) result.push_back(result[i] + "_r");
    return result;
}

Rgb Colormap::at(double t) const noexcept {
    if (colours_.empty()) {
        const double clamped = t > 0.0 ? std::min(t, 1.0) : 0.0;  // NaN -> 0
        return {clamped, clamped, clamped};
    }
    return colours_[index_of(t)];
}

void ImageSpec::validate(const JuliaParams& params) const {
    if (supersample < 1 || supersample > max_supersample) {
        throw std::invalid_argument("supersample must be between 1 and " +
                                    std::to_string(max_supersample) + ", got " +
                                    std::to_string(supersample));
    }
    if (format != PixelFormat::rgb8 && !colormap.is_gray_ramp()) {
        throw std::invalid_argument("colormap '" + colormap.name() +
                                    "' needs RGB output; gray images use the gray colormap");
    }
    if (coloring == Coloring::smooth && !(params.threshold > 1.0)) {
        throw std::invalid_argument("smooth colouring needs threshold > 1, got " +
                                    std::to_string(params.threshold));
    }
}

PixelGrid sample_grid(const PixelGrid& grid, std::uint32_t supersample) {
    if (supersample == 1) return grid;
    return PixelGrid(grid.region(), grid.width() * supersample, grid.height() * supersample);
}

namespace {

// Below this limit tallies and levels are kept per count (at most 512 KiB), which is faster
// than sorting; above it only the counts that occur are kept.
constexpr std::uint32_t dense_itermax_limit = 65536;

bool is_dense(std::uint32_t itermax) noexcept { return itermax < dense_itermax_limit; }

}  // namespace

HistogramLevels::HistogramLevels(std::uint32_t itermax) : itermax_(itermax) {
    if (is_dense(itermax)) dense_ = table();
}

HistogramLevels::HistogramLevels(std::uint32_t itermax,
                                 std::span<const std::uint32_t> distinct_counts,
                                 std::span<const std::uint64_t> samples_per_count)
    : itermax_(itermax) {
    if (distinct_counts.size() != samples_per_count.size()) {
        throw std::invalid_argument("histogram levels need one tally per count");
    }
    std::uint64_t escaped = 0;
    for (std::size_t i = 0; i < distinct_counts.size(); ++i) {
        if (distinct_counts[i] >= itermax || (i > 0 && distinct_counts[i] <= distinct_counts[i - 1])) {
            throw std::invalid_argument(
                "histogram levels need distinct escaped counts (< itermax) in ascending order");
        }
        escaped += samples_per_count[i];
    }
    counts_.assign(distinct_counts.begin(), distinct_counts.end());
    levels_.resize(counts_.size());
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        running += samples_per_count[i];
        // The dense computation's value: the running total over every escaped sample.
        levels_[i] = static_cast<double>(running) / static_cast<double>(escaped);
    }
    if (is_dense(itermax)) dense_ = table();
}

double HistogramLevels::sparse_level(std::uint32_t k) const noexcept {
    if (k >= itermax_) return 1.0;
    const auto above = std::upper_bound(counts_.begin(), counts_.end(), k);
    return above == counts_.begin() ? 0.0 : levels_[static_cast<std::size_t>(above - counts_.begin()) - 1];
}

std::vector<double> HistogramLevels::table() const {
    std::vector<double> result(std::size_t{itermax_} + 1, 0.0);
    std::size_t next = 0;
    double level = 0.0;
    for (std::uint32_t k = 0; k < itermax_; ++k) {
        if (next < counts_.size() && counts_[next] == k) level = levels_[next++];
        result[k] = level;
    }
    result[itermax_] = 1.0;
    return result;
}

CountHistogram::CountHistogram(std::uint32_t itermax) : itermax_(itermax) {
    if (is_dense(itermax)) dense_.assign(std::size_t{itermax} + 1, 0);
}

void CountHistogram::add(std::span<const std::uint32_t> counts) {
    if (!dense_.empty()) {
        for (const std::uint32_t k : counts) ++dense_[std::min(k, itermax_)];
        return;
    }
    std::vector<std::uint32_t> escaped;
    escaped.reserve(counts.size());
    for (const std::uint32_t k : counts) {
        if (k < itermax_) escaped.push_back(k);
    }
    std::sort(escaped.begin(), escaped.end());
    for (std::size_t i = 0; i < escaped.size();) {
        std::size_t j = i + 1;
        while (j < escaped.size() && escaped[j] == escaped[i]) ++j;
        pending_.emplace_back(escaped[i], j - i);
        i = j;
    }
    if (pending_.size() > std::max<std::size_t>(sorted_.size(), detail::samples_per_piece)) compact();
}

void CountHistogram::merge(const CountHistogram& other) {
    if (other.itermax_ != itermax_) {
        throw std::invalid_argument("only histograms of the same itermax can be merged");
    }
    if (!dense_.empty()) {
        for (std::size_t k = 0; k < dense_.size(); ++k) dense_[k] += other.dense_[k];
        return;
    }
    pending_.insert(pending_.end(), other.sorted_.begin(), other.sorted_.end());
    pending_.insert(pending_.end(), other.pending_.begin(), other.pending_.end());
    if (pending_.size() > std::max<std::size_t>(sorted_.size(), detail::samples_per_piece)) compact();
}

void CountHistogram::compact() {
    pending_.insert(pending_.end(), sorted_.begin(), sorted_.end());
    std::sort(pending_.begin(), pending_.end(),
              [](const Tally& a, const Tally& b) { return a.first < b.first; });
    std::vector<Tally> merged;
    for (const Tally& tally : pending_) {
        if (!merged.empty() && merged.back().first == tally.first) {
            merged.back().second += tally.second;
        } else {
            merged.push_back(tally);
        }
    }
    sorted_ = std::move(merged);
    pending_ = {};
}

HistogramLevels CountHistogram::levels() const {
    std::vector<std::uint32_t> counts;
    std::vector<std::uint64_t> tallies;
    if (!dense_.empty()) {
        for (std::uint32_t k = 0; k < itermax_; ++k) {
            if (dense_[k] != 0) {
                counts.push_back(k);
                tallies.push_back(dense_[k]);
            }
        }
    } else {
        CountHistogram copy = *this;
        copy.compact();
        counts.reserve(copy.sorted_.size());
        tallies.reserve(copy.sorted_.size());
        for (const auto& [k, n] : copy.sorted_) {
            counts.push_back(k);
            tallies.push_back(n);
        }
    }
    return HistogramLevels(itermax_, counts, tallies);
}

HistogramLevels histogram_levels(std::span<const std::uint32_t> counts, std::uint32_t itermax) {
    CountHistogram histogram(itermax);
    histogram.add(counts);
    return histogram.levels();
}

HistogramLevels histogram_levels(const PixelGrid& grid, const JuliaParams& params,
                                 const ImageSpec& spec, const RenderOptions& options) {
    params.validate();
    spec.validate(params);
    const PixelGrid samples = sample_grid(grid, spec.supersample);
    const PixelWindow whole = samples.full_window();
    const std::size_t piece_columns = std::min(whole.width, detail::samples_per_piece);
    const std::size_t piece_rows = std::max<std::size_t>(detail::samples_per_piece / piece_columns, 1);
    CountHistogram histogram(params.itermax);
    std::mutex merge;
    detail::for_each_piece(
        whole, piece_rows, piece_columns, options,
        [&](const PixelWindow& piece, std::size_t, std::size_t) {
            std::vector<std::uint32_t> counts(piece.size());
            detail::escape_counts_until(samples, params, piece, counts, options.kernel,
                                        options.precision, options.cancel);
            CountHistogram local(params.itermax);
            local.add(counts);
            const std::lock_guard lock(merge);
            histogram.merge(local);
        });
    return histogram.levels();
}

void render_image(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                  const ImageSpec& spec, const HistogramLevels& levels,
                  std::span<std::uint8_t> out, const RenderOptions& options) {
    params.validate();
    spec.validate(params);
    grid.check_window(window);
    const std::size_t pixel_bytes = bytes_per_pixel(spec.format);
    detail::check_buffer_size(out.size(), window.size() * pixel_bytes, "image");
    if (spec.coloring == Coloring::histogram && levels.itermax() != params.itermax) {
        throw std::invalid_argument("histogram colouring needs histogram_levels() of the image");
    }
    const std::size_t n = spec.supersample;
    const PixelGrid samples = sample_grid(grid, spec.supersample);
    // Pieces of about 64K samples: whole rows when rows are narrow, else pieces of one row.
    const std::size_t piece_columns =
        std::min(window.width, std::max<std::size_t>(detail::samples_per_piece / (n * n), 1));
    const std::size_t piece_rows =
        std::max<std::size_t>(detail::samples_per_piece / (piece_columns * n * n), 1);
    const double per_pixel = static_cast<double>(n * n);
    const double span = static_cast<double>(params.itermax - params.itermin);
    std::optional<detail::OneSamplePainter> painter;
    if (n == 1) painter.emplace(spec, params.itermin, params.itermax, &levels, window.size());

    detail::for_each_piece(
        window, piece_rows, piece_columns, options,
        [&](const PixelWindow& piece, std::size_t first_row, std::size_t first_column) {
            const std::size_t rows = piece.height;
            const std::size_t sample_width = piece.width * n;
            const PixelWindow sample_window{piece.x0 * n, piece.y0 * n, sample_width, rows * n};
            const auto destination = [&](std::size_t row) {
                return out.data() +
                       ((first_row + row) * window.width + first_column) * pixel_bytes;
            };
            // Value in [0, 1] of every sample of this piece (for one sample per pixel,
            // counts go straight to the painter's tables).
            std::vector<double> value(sample_window.size());
            if (spec.coloring == Coloring::smooth) {
                std::vector<double> smooth(sample_window.size());
                RenderOptions inner = options;
                inner.threads = 1;  // already inside a worker
                render_fields(samples, params, sample_window, FieldBuffers{.smooth = smooth},
                              inner);
                for (std::size_t s = 0; s < smooth.size(); ++s) {
                    value[s] = std::clamp((smooth[s] - params.itermin) / span, 0.0, 1.0);
                }
            } else {
                std::vector<std::uint32_t> counts(sample_window.size());
                detail::escape_counts_until(samples, params, sample_window, counts,
                                            options.kernel, options.precision, options.cancel);
                if (painter) {
                    for (std::size_t row = 0; row < rows; ++row) {
                        painter->paint_counts(
                            std::span(counts).subspan(row * piece.width, piece.width),
                            destination(row));
                    }
                    return;
                }
                for (std::size_t s = 0; s < counts.size(); ++s) {
                    value[s] = detail::count_value(spec.coloring, counts[s], params.itermin,
                                                   params.itermax, &levels);
                }
            }
            if (painter) {
                for (std::size_t row = 0; row < rows; ++row) {
                    painter->paint_values(
                        std::span(value).subspan(row * piece.width, piece.width),
                        destination(row));
                }
                return;
            }
            for (std::size_t row = 0; row < rows; ++row) {
                std::uint8_t* dest = destination(row);
                for (std::size_t column = 0; column < piece.width; ++column) {
                    Rgb sum;
                    for (std::size_t b = 0; b < n; ++b) {
                        const double* line = value.data() + (row * n + b) * sample_width + column * n;
                        for (std::size_t a = 0; a < n; ++a) {
                            detail::add_sample_colour(spec, line[a], sum);
                        }
                    }
                    std::uint8_t* px = dest + column * pixel_bytes;
                    detail::store_pixel(spec.format, sum, per_pixel, px);
                }
            }
        });
}

}  // namespace juliaset
