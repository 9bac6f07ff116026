// Colouring: values in [0, 1] per sample, colour, average over the supersamples, quantise.
#include "juliaset/color.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "juliaset/fields.hpp"
#include "bands.hpp"
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
    const double clamped = t > 0.0 ? std::min(t, 1.0) : 0.0;  // NaN -> 0
    if (colours_.empty()) return {clamped, clamped, clamped};
    const auto index =
        std::min<std::size_t>(static_cast<std::size_t>(clamped * size), size - 1);
    return colours_[index];
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

std::vector<double> histogram_levels(const PixelGrid& grid, const JuliaParams& params,
                                     const ImageSpec& spec, const RenderOptions& options) {
    params.validate();
    spec.validate(params);
    const PixelGrid samples = sample_grid(grid, spec.supersample);
    std::vector<std::uint64_t> histogram(static_cast<std::size_t>(params.itermax) + 1, 0);
    std::mutex merge;
    detail::for_each_band(
        samples.full_window(), options, [&](const PixelWindow& window, std::size_t) {
            std::vector<std::uint32_t> counts(window.size());
            detail::escape_counts_until(samples, params, window, counts, options.kernel,
                                        options.precision, options.cancel);
            std::vector<std::uint64_t> local(histogram.size(), 0);
            for (const std::uint32_t k : counts) ++local[k];
            const std::lock_guard lock(merge);
            for (std::size_t k = 0; k < local.size(); ++k) histogram[k] += local[k];
        });

    std::vector<double> levels(histogram.size(), 1.0);
    std::uint64_t escaped = 0;
    for (std::size_t k = 0; k + 1 < histogram.size(); ++k) escaped += histogram[k];
    std::uint64_t running = 0;
    for (std::size_t k = 0; k + 1 < histogram.size(); ++k) {
        running += histogram[k];
        levels[k] = escaped == 0 ? 0.0
                                 : static_cast<double>(running) / static_cast<double>(escaped);
    }
    return levels;  // levels[itermax] stays 1: the interior is white / the colormap's end
}

void render_image(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                  const ImageSpec& spec, std::span<const double> levels,
                  std::span<std::uint8_t> out, const RenderOptions& options) {
    params.validate();
    spec.validate(params);
    grid.check_window(window);
    const std::size_t pixel_bytes = bytes_per_pixel(spec.format);
    detail::check_buffer_size(out.size(), window.size() * pixel_bytes, "image");
    if (spec.coloring == Coloring::histogram && levels.size() != params.itermax + std::size_t{1}) {
        throw std::invalid_argument("histogram colouring needs histogram_levels() of the image");
    }
    const std::size_t n = spec.supersample;
    const PixelGrid samples = sample_grid(grid, spec.supersample);
    const std::size_t sample_width = window.width * n;
    // Bands of output rows holding about 64K samples each.
    RenderOptions banded = options;
    banded.rows_per_task =
        std::max<std::size_t>(1, 65536 / std::max<std::size_t>(sample_width * n, 1));
    const bool rgb = spec.format == PixelFormat::rgb8;
    const double max_level = spec.format == PixelFormat::gray16 ? 65535.0 : 255.0;
    const double per_pixel = static_cast<double>(n * n);

    detail::for_each_band(
        window, banded, [&](const PixelWindow& band, std::size_t first_row) {
            const std::size_t rows = band.height;
            const PixelWindow sample_window{window.x0 * n, (window.y0 + first_row) * n,
                                            sample_width, rows * n};
            // Value in [0, 1] of every sample of this task.
            std::vector<double> value(sample_window.size());
            if (spec.coloring == Coloring::smooth) {
                std::vector<double> smooth(sample_window.size());
                RenderOptions inner = options;
                inner.threads = 1;  // already inside a worker
                render_fields(samples, params, sample_window, FieldBuffers{.smooth = smooth},
                              inner);
                const double span = static_cast<double>(params.itermax - params.itermin);
                for (std::size_t s = 0; s < smooth.size(); ++s) {
                    value[s] = std::clamp((smooth[s] - params.itermin) / span, 0.0, 1.0);
                }
            } else {
                std::vector<std::uint32_t> counts(sample_window.size());
                detail::escape_counts_until(samples, params, sample_window, counts,
                                            options.kernel, options.precision, options.cancel);
                for (std::size_t s = 0; s < counts.size(); ++s) {
                    value[s] = spec.coloring == Coloring::histogram
                                   ? levels[counts[s]]
                                   : normalized_value(counts[s], params.itermin, params.itermax);
                }
            }
            const auto quantise = [max_level](double level) {
                return static_cast<std::uint32_t>(std::clamp(level * max_level, 0.0, max_level));
            };
            for (std::size_t row = 0; row < rows; ++row) {
                std::uint8_t* dest = out.data() + ((first_row + row) * window.width) * pixel_bytes;
                for (std::size_t column = 0; column < window.width; ++column) {
                    Rgb sum;
                    for (std::size_t b = 0; b < n; ++b) {
                        const double* line = value.data() + (row * n + b) * sample_width + column * n;
                        for (std::size_t a = 0; a < n; ++a) {
                            if (rgb) {
                                const Rgb c = spec.colormap.at(line[a]);
                                sum.r += c.r;
                                sum.g += c.g;
                                sum.b += c.b;
                            } else {
                                sum.r += line[a];
                            }
                        }
                    }
                    std::uint8_t* px = dest + column * pixel_bytes;
                    if (rgb) {
                        px[0] = static_cast<std::uint8_t>(quantise(sum.r / per_pixel));
                        px[1] = static_cast<std::uint8_t>(quantise(sum.g / per_pixel));
                        px[2] = static_cast<std::uint8_t>(quantise(sum.b / per_pixel));
                    } else if (spec.format == PixelFormat::gray16) {
                        const std::uint32_t level = quantise(sum.r / per_pixel);
                        px[0] = static_cast<std::uint8_t>(level >> 8);
                        px[1] = static_cast<std::uint8_t>(level & 0xFF);
                    } else {
                        px[0] = static_cast<std::uint8_t>(quantise(sum.r / per_pixel));
                    }
                }
            }
        });
}

}  // namespace juliaset
