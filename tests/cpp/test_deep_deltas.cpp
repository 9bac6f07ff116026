// The deep engine's pixel deltas (src/deep/deep.cpp, pixel_deltas): the plain-double fast
// path against the extended-exponent operations it replaces, bit for bit, over views from
// 2^-1000 to 2^1000 (the fast path's range and well beyond it on both sides).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "deep/engine.hpp"

namespace {

using juliaset::deep::ComplexExp;
using juliaset::deep::FloatExp;

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

TEST(DeepDeltas, PlainDoublesGiveTheExtendedOperationsBits) {
    std::mt19937_64 random(20261130);
    std::uniform_real_distribution<double> mantissa(-2.0, 2.0);
    std::uniform_int_distribution<int> exponent(-1000, 1000);
    std::uniform_int_distribution<int> pick(0, 5);
    std::uniform_int_distribution<std::size_t> size(1, 5000);
    std::size_t plain_views = 0;
    for (int view = 0; view < 3000; ++view) {
        const int half_e = exponent(random);
        const auto offset = [&]() {
            switch (pick(random)) {
                case 0: return FloatExp();  // the reference's own centre
                case 1: return FloatExp(mantissa(random), half_e + 12);  // inside the image
                case 2: return FloatExp(mantissa(random), half_e - 60);  // a last-digit gap
                default: return FloatExp(mantissa(random), exponent(random));
            }
        };
        const FloatExp offset_re = offset();
        const FloatExp offset_im = offset();
        const FloatExp half(std::abs(mantissa(random)) + 0.25, half_e);
        const std::size_t w = size(random);
        const std::size_t h = size(random);
        const std::size_t j = std::uniform_int_distribution<std::size_t>(0, h - 1)(random);
        const std::size_t x0 = std::uniform_int_distribution<std::size_t>(0, w - 1)(random);
        const std::size_t count = std::min<std::size_t>(w - x0, 64);
        std::vector<ComplexExp> fast(count), exact(count);
        juliaset::deep::pixel_deltas(offset_re, offset_im, half, w, h, j, x0, count, fast.data());
        juliaset::deep::pixel_deltas(offset_re, offset_im, half, w, h, j, x0, count, exact.data(),
                                     false);
        if (std::abs(half_e) < 890) ++plain_views;
        for (std::size_t i = 0; i < count; ++i) {
            ASSERT_EQ(bits(fast[i].re), bits(exact[i].re)) << "view " << view << " pixel " << i;
            ASSERT_EQ(bits(fast[i].im), bits(exact[i].im)) << "view " << view << " pixel " << i;
            ASSERT_EQ(fast[i].e, exact[i].e) << "view " << view << " pixel " << i;
        }
    }
    EXPECT_GT(plain_views, 2000u);  // most views took the fast path
}

TEST(DeepDeltas, CentreColumnAndRowAreTheOffsetItself) {
    // Pixel (w/2, h/2) of an even-sized image sits at the centre: its delta is the offset.
    const FloatExp offset_re(1.5, -40), offset_im(-1.25, -41), half(1.0, -30);
    std::vector<ComplexExp> row(8);
    juliaset::deep::pixel_deltas(offset_re, offset_im, half, 8, 6, 3, 0, 8, row.data());
    EXPECT_EQ(row[4].re_double(), offset_re.to_double());
    EXPECT_EQ(row[4].im_double(), offset_im.to_double());
    EXPECT_EQ(row[5].re_double(), offset_re.to_double() + 2.0 * half.to_double());
}

}  // namespace
