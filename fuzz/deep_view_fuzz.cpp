// libFuzzer target: the deep engine's entry point. The input is five NUL-separated decimal
// strings (centre re, centre im, width, c re, c im) and a tail of bytes choosing the family,
// power, threshold, itermax (at most 300) and a tiny image (at most 4 x 4 pixels).
//
// Promises checked: DeepRender's constructor either builds or throws std::invalid_argument /
// std::length_error (bad input names its argument), never anything else and never a crash;
// needs_deep_engine agrees with it about what is valid; a built engine renders counts no
// larger than itermax, smooth counts that are not NaN and distances not negative (threshold
// above 1), the SIMD kernel's fields equal the scalar kernel's bit for bit, and every one-pixel
// window equals the whole image's pixel (windows are the chunks of juliaset.dask and the
// explorer's tiles).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_checks.hpp"
#include "juliaset/deep.hpp"

namespace {

using namespace juliaset;
using juliaset::fuzz::require;

// Throws what the constructor throws for invalid input; anything else escapes and aborts.
template <class F>
bool valid(F&& f) {
    try {
        f();
        return true;
    } catch (const std::invalid_argument&) {
    } catch (const std::length_error&) {
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (fields.size() < 5) {
        std::size_t end = start;
        while (end < size && data[end] != 0) ++end;
        if (end >= size) return 0;  // need five strings and a tail
        fields.emplace_back(reinterpret_cast<const char*>(data + start), end - start);
        start = end + 1;
    }
    // Long decimals make MPFR slow, not wrong: keep the fuzzer fast.
    for (const std::string& f : fields) {
        if (f.size() > 400) return 0;
    }
    auto byte = [&](std::size_t k) -> std::uint8_t {
        return start + k < size ? data[start + k] : 0;
    };
    DeepView view{fields[0], fields[1], fields[2], std::size_t{1} + byte(0) % 4,
                  std::size_t{1} + byte(1) % 4};
    DeepParams params;
    params.family = byte(2) % 2 == 0 ? Family::mandelbrot : Family::julia;
    params.power = 1 + byte(3) % 17;  // 1 and 17 are out of range: errors
    params.c_re = fields[3];
    params.c_im = fields[4];
    const double thresholds[] = {2.0, 100.0, 0.5, 1e200, 0.0, -1.0, 1e300};
    params.threshold = thresholds[byte(4) % 7];
    params.itermax = byte(5) + byte(6) % 45;  // 0 .. 299
    params.distance_in_pixels = byte(7) % 2 == 1;

    const bool switch_valid = valid([&] { (void)needs_deep_engine(view, params); });
    std::unique_ptr<DeepRender> engine;
    const bool built = valid([&] { engine = std::make_unique<DeepRender>(view, params); });
    if (!built) return 0;
    require(switch_valid, "needs_deep_engine accepts what DeepRender accepts");
    const std::size_t w = view.pixels_x;
    const std::size_t h = view.pixels_y;
    std::vector<std::uint32_t> counts(w * h);
    std::vector<double> smooth(w * h);
    std::vector<double> distance(w * h);
    FieldBuffers all;
    all.counts = counts;
    all.distance = distance;
    if (params.threshold > 1.0) all.smooth = smooth;
    engine->render(engine->full_window(), all);
    for (std::size_t k = 0; k < w * h; ++k) {
        require(counts[k] <= params.itermax, "counts are at most itermax");
        if (params.threshold > 1.0) require(!std::isnan(smooth[k]), "smooth counts are not NaN");
        // |z| ln|z| / |dz| at the first |z| > threshold: not negative once threshold > 1.
        if (params.threshold > 1.0) require(!(distance[k] < 0.0), "distances are not negative");
    }
    // Without the distance the SIMD kernel iterates whole rows (power 2): bit for bit the
    // scalar kernel's counts, smooth counts and |z|^2.
    {
        std::vector<std::uint32_t> lane_counts(w * h), scalar_counts(w * h);
        std::vector<double> lane_smooth(w * h), scalar_smooth(w * h);
        std::vector<double> lane_norm(w * h), scalar_norm(w * h);
        FieldBuffers lanes;
        lanes.counts = lane_counts;
        lanes.final_norm = lane_norm;
        FieldBuffers scalar;
        scalar.counts = scalar_counts;
        scalar.final_norm = scalar_norm;
        if (params.threshold > 1.0) {
            lanes.smooth = lane_smooth;
            scalar.smooth = scalar_smooth;
        }
        RenderOptions scalar_kernel;
        scalar_kernel.kernel = Kernel::scalar;
        engine->render(engine->full_window(), lanes);
        engine->render(engine->full_window(), scalar, scalar_kernel);
        require(lane_counts == scalar_counts, "SIMD counts equal the scalar kernel's");
        require(std::memcmp(lane_norm.data(), scalar_norm.data(), w * h * sizeof(double)) == 0,
                "SIMD |z|^2 equals the scalar kernel's bit for bit");
        require(std::memcmp(lane_smooth.data(), scalar_smooth.data(), w * h * sizeof(double)) == 0,
                "SIMD smooth counts equal the scalar kernel's bit for bit");
    }
    for (std::size_t j = 0; j < h; ++j) {
        for (std::size_t i = 0; i < w; ++i) {
            std::uint32_t one = 0;
            FieldBuffers pixel;
            pixel.counts = std::span<std::uint32_t>(&one, 1);
            engine->render({i, j, 1, 1}, pixel);
            require(one == counts[j * w + i], "a one-pixel window equals the image's pixel");
        }
    }
    return 0;
}
