// The smooth count's vectorised logarithm (src/fields_simd.cpp, smooth_counts): the same bits
// on every SIMD target this CPU has, and within a few units in the last place of the same
// formula with the C library's log; infinities and NaN as std::log gives them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fields_kernels.hpp"
#include "juliaset/escape.hpp"

namespace {

struct ForcedTarget {
    explicit ForcedTarget(const std::string& name) { juliaset::force_simd_target(name); }
    ~ForcedTarget() { juliaset::force_simd_target(""); }
    ForcedTarget(const ForcedTarget&) = delete;
    ForcedTarget& operator=(const ForcedTarget&) = delete;
};

double library_formula(std::uint32_t k, double norm, double lt, double lp) {
    return static_cast<double>(k) + 1.0 - std::log(std::log(norm) / lt) / lp;
}

TEST(SmoothCounts, SameBitsOnEveryTargetAndWithinUlpsOfTheLibraryLogarithm) {
    std::mt19937_64 random(11);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uniform_int_distribution<std::uint32_t> count(0, 5'000'000);
    std::vector<std::uint32_t> counts;
    std::vector<double> norms;
    const double inf = std::numeric_limits<double>::infinity();
    for (const double special : {4.0, std::nextafter(4.0, inf), 1e4, 1e300, 1.7e308, inf,
                                 std::numeric_limits<double>::quiet_NaN(), 1.0, 0.5, 0.0, -3.0,
                                 4e-320, std::numeric_limits<double>::min()}) {
        counts.push_back(count(random));
        norms.push_back(special);
    }
    for (int i = 0; i < 200'000; ++i) {
        counts.push_back(count(random));
        // Escaped |z|^2 from just outside radius 2 (or 1.0001) to the double range's end.
        const double lowest = i % 2 == 0 ? 4.0 : 1.0002;
        norms.push_back(lowest * std::pow(10.0, 308.0 * std::pow(unit(random), 4.0)));
    }
    const std::size_t n = norms.size();  // not a multiple of any vector: a tail too
    const double lt = std::log(4.0);
    const double lp = std::log(2.0);
    std::vector<double> first(n);
    std::string first_target;
    for (const std::string& target : juliaset::available_simd_targets()) {
        const ForcedTarget forced(target);
        std::vector<double> smooth(n);
        juliaset::detail::smooth_counts(counts.data(), norms.data(), n, lt, lp, smooth.data());
        if (first_target.empty()) {
            first = smooth;
            first_target = target;
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(std::bit_cast<std::uint64_t>(smooth[i]),
                      std::bit_cast<std::uint64_t>(first[i]))
                << target << " vs " << first_target << " at norm " << norms[i];
        }
    }
    std::size_t compared = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double want = library_formula(counts[i], norms[i], lt, lp);
        // One point through the one-point form gives the same value.
        const double one = juliaset::detail::smooth_count(counts[i], norms[i], lt, lp);
        ASSERT_EQ(std::bit_cast<std::uint64_t>(one), std::bit_cast<std::uint64_t>(first[i]));
        if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(first[i])) << "norm " << norms[i];
            continue;
        }
        if (std::isinf(want)) {
            EXPECT_EQ(first[i], want) << "norm " << norms[i];
            continue;
        }
        // The logarithms err by under an ulp each; the outer one's argument is >= about 0,
        // and its error is scaled by 1 / log(power): a few ulps of the count's magnitude.
        const double scale = std::max(1.0, std::abs(want));
        ASSERT_LE(std::abs(first[i] - want), 8.0 * std::numeric_limits<double>::epsilon() * scale)
            << "norm " << norms[i] << " count " << counts[i];
        ++compared;
    }
    EXPECT_GT(compared, 199'000u);
}

}  // namespace
