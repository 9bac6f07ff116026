// The deep engine's interface: decimal validation, errors naming the argument, the switch
// threshold, windows and threads, fields, cancellation inside the reference orbit and the
// reference's memory bound.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "juliaset/deep.hpp"

namespace {

using namespace juliaset;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(DeepDecimal, AcceptsSignsPointsAndExponents) {
    for (const char* text : {"0", "-0", "+3", "1.", ".5", "-1.25e-40", "1E+5", "00012.3400",
                             "1e-20000", "-0.000001e-19990"}) {
        EXPECT_NO_THROW(check_decimal(text, "x")) << text;
    }
}

TEST(DeepDecimal, RejectsEverythingElseNamingTheArgument) {
    for (const char* text : {"", "1.2.3", "nan", "inf", "-inf", "0x1p3", " 1", "1 ", "e5", "1e",
                             "--1", "1e+-3", "1,5", "+", ".", "1e5.0", "١"}) {
        const std::string message = error_of([&] { check_decimal(text, "center_re"); });
        EXPECT_EQ(message.rfind("center_re: malformed decimal number '", 0), 0u)
            << text << " -> " << message;
    }
    EXPECT_NE(error_of([] { check_decimal("1e-20001", "width"); }).find("width: "),
              std::string::npos);
    EXPECT_NE(error_of([] { check_decimal(std::string(20001, '7'), "c_re"); })
                  .find("c_re: 20001 significant digits"),
              std::string::npos);
    // Trailing zeros are not significant digits.
    EXPECT_NO_THROW(check_decimal("1." + std::string(30000, '0'), "c_re"));
}

TEST(DeepRenderErrors, NameTheArgument) {
    DeepParams params;
    EXPECT_EQ(error_of([&] { DeepRender(DeepView{"0", "0", "0", 8, 8}, params); }),
              "width must be above 0, got '0'");
    EXPECT_EQ(error_of([&] { DeepRender(DeepView{"0", "0", "-1e-30", 8, 8}, params); }),
              "width must be above 0, got '-1e-30'");
    EXPECT_EQ(error_of([&] { DeepRender(DeepView{"1.2.3", "0", "1", 8, 8}, params); })
                  .rfind("center_re: malformed decimal number '1.2.3'", 0),
              0u);
    EXPECT_EQ(error_of([&] { DeepRender(DeepView{"0", "i", "1", 8, 8}, params); })
                  .rfind("center_im: ", 0),
              0u);
    DeepParams julia;
    julia.family = Family::julia;
    julia.c_im = "0.1q";
    EXPECT_EQ(error_of([&] { DeepRender(DeepView{"0", "0", "1", 8, 8}, julia); }).rfind("c_im: ", 0),
              0u);
    DeepParams power = params;
    power.power = 17;
    EXPECT_NE(error_of([&] { DeepRender(DeepView{"0", "0", "1", 8, 8}, power); }).find("power"),
              std::string::npos);
    DeepParams threshold = params;
    threshold.threshold = std::nan("");
    EXPECT_NE(error_of([&] { DeepRender(DeepView{"0", "0", "1", 8, 8}, threshold); })
                  .find("threshold"),
              std::string::npos);
    EXPECT_NE(error_of([&] { DeepRender(DeepView{"0", "0", "1", 0, 8}, params); }).find("pixels"),
              std::string::npos);
}

TEST(DeepRenderErrors, WindowAndBuffers) {
    const DeepRender render(DeepView{"-0.75", "0.1", "1e-20", 10, 6}, DeepParams{});
    std::vector<std::uint32_t> counts(10);
    FieldBuffers out;
    out.counts = counts;
    EXPECT_THROW(render.render({5, 0, 6, 1}, out), std::out_of_range);
    EXPECT_THROW(render.render({0, 0, 5, 1}, out), std::invalid_argument);
    EXPECT_THROW(render.render({0, 0, 10, 1}, FieldBuffers{}), std::invalid_argument);
    EXPECT_NO_THROW(render.render({0, 5, 10, 1}, out));
}

TEST(NeedsDeepEngine, ThresholdWithMargin) {
    const DeepParams params;
    EXPECT_FALSE(needs_deep_engine(DeepView{"-0.5", "0", "4", 800, 500}, params));
    EXPECT_FALSE(needs_deep_engine(DeepView{"-1.99996619445037", "0", "1e-8", 400, 400}, params));
    // The example: 1e-14 near -2 at 400 pixels is deep (a double cannot tell the
    // columns apart); so is anything below 2^-42 of the coordinates' scale per pixel.
    EXPECT_TRUE(needs_deep_engine(DeepView{"-1.99996619445037", "0", "1e-14", 400, 400}, params));
    EXPECT_TRUE(needs_deep_engine(DeepView{"0.1", "0", "1e-12", 1000, 400}, params));
    EXPECT_TRUE(needs_deep_engine(DeepView{"0", "0", "1e-400", 10, 10}, params));
    // The boundary itself: 2^-42 of max(1, |centre|) per pixel (2^-41.5 and 2^-42.5 here),
    // whatever the centre's leading digit.
    for (const char* centre : {"1", "-0.75", "0.0001"}) {
        EXPECT_FALSE(needs_deep_engine(DeepView{centre, "1", "3.2e-10", 1000, 400}, params));
        EXPECT_TRUE(needs_deep_engine(DeepView{centre, "1", "1.6e-10", 1000, 400}, params));
    }
    // |centre| = 1.99996...: 2^-41 per pixel
    EXPECT_FALSE(needs_deep_engine(DeepView{"-1.99996619445037", "0", "2e-10", 400, 400}, params));
    EXPECT_TRUE(needs_deep_engine(DeepView{"-1.99996619445037", "0", "1.6e-10", 400, 400}, params));
    EXPECT_TRUE(needs_deep_engine(DeepView{"1e400", "0", "1", 10, 10}, params));
    EXPECT_THROW((void)needs_deep_engine(DeepView{"x", "0", "1", 10, 10}, params),
                 std::invalid_argument);
}

TEST(DeepRender, WindowsAndThreadsGiveTheSameCounts) {
    DeepParams params;
    params.itermax = 3000;
    const DeepRender render(DeepView{"-0.743643887037151", "0.131825904205330", "1e-22", 37, 23},
                            params);
    std::vector<std::uint32_t> full(37 * 23);
    FieldBuffers out;
    out.counts = full;
    render.render(render.full_window(), out, RenderOptions{1});
    for (const unsigned threads : {2u, 5u}) {
        std::vector<std::uint32_t> again(full.size());
        FieldBuffers o;
        o.counts = again;
        render.render(render.full_window(), o, RenderOptions{threads});
        EXPECT_EQ(again, full);
    }
    const PixelWindow window{3, 4, 20, 9};
    std::vector<std::uint32_t> part(window.size());
    FieldBuffers o;
    o.counts = part;
    render.render(window, o);
    for (std::size_t r = 0; r < window.height; ++r) {
        for (std::size_t c = 0; c < window.width; ++c) {
            EXPECT_EQ(part[r * window.width + c], full[(r + 4) * 37 + c + 3]);
        }
    }
}

TEST(DeepRender, FieldsAreConsistent) {
    DeepParams params;
    params.itermax = 5000;
    params.threshold = 100.0;
    // Two widths beside the Misiurewicz point i: spirals at every scale.
    const DeepView view{"2e-60", "1", "1e-60", 21, 13};
    const DeepRender render(view, params);
    const std::size_t n = 21 * 13;
    std::vector<std::uint32_t> counts(n), counts_alone(n);
    std::vector<double> smooth(n), norm(n), distance(n);
    std::vector<std::uint8_t> interior(n);
    render.render(render.full_window(), FieldBuffers{counts, smooth, norm, interior, distance});
    render.render(render.full_window(), FieldBuffers{counts_alone});
    EXPECT_EQ(counts, counts_alone);  // the derivative loop counts the same
    DeepParams in_pixels = params;
    in_pixels.distance_in_pixels = true;
    const DeepRender pixels(view, in_pixels);
    std::vector<double> distance_pixels(n);
    pixels.render(pixels.full_window(), FieldBuffers{{}, {}, {}, {}, distance_pixels});
    std::size_t escaped = 0;
    for (std::size_t k = 0; k < n; ++k) {
        EXPECT_EQ(interior[k], counts[k] == params.itermax ? 1 : 0);
        if (counts[k] == params.itermax) continue;
        ++escaped;
        EXPECT_GT(norm[k], 1e4);
        EXPECT_GT(smooth[k], counts[k] - 1.0);
        EXPECT_LE(smooth[k], counts[k] + 1.0);
        // Plane distances at 1e-60 are tiny but representable; in pixels they are about 1.
        EXPECT_GT(distance[k], 0.0);
        EXPECT_NEAR(distance_pixels[k] / (distance[k] / (1e-60 / 21)), 1.0, 1e-9);
        EXPECT_GT(distance_pixels[k], 1e-4);
        EXPECT_LT(distance_pixels[k], 1e3);
    }
    EXPECT_GT(escaped, n / 2);
}

TEST(DeepRender, CancelStopsInsideTheReferenceOrbit) {
    // A reference orbit that would take minutes: 60000 bits, a million iterations.
    DeepParams params;
    params.itermax = 1000000;
    std::atomic<bool> cancel{false};
    std::uint64_t reports_after_cancel = 0;
    std::uint64_t done_at_cancel = 0;
    DeepProgress progress;
    progress.report = [&](DeepProgress::Stage stage, std::uint64_t done, std::uint64_t total) {
        EXPECT_EQ(stage, DeepProgress::Stage::reference_orbit);
        EXPECT_LE(done, total);
        if (cancel) ++reports_after_cancel;
        if (done >= 8192 && !cancel) {
            done_at_cancel = done;
            cancel = true;
        }
    };
    EXPECT_THROW(DeepRender(DeepView{"-0.1", "0.1", "1e-18000", 8, 8}, params, progress, &cancel),
                 Cancelled);
    EXPECT_EQ(done_at_cancel, 8192u);
    EXPECT_EQ(reports_after_cancel, 0u);  // stopped within 64 iterations of the flag
}

TEST(DeepRender, ReferenceLengthIsBoundedByTheOrbitNotItermax) {
    DeepParams params;
    params.itermax = 4000000000u;
    // An escaping reference: a few iterations whatever itermax.
    const DeepRender escaping(DeepView{"0.5", "0.5", "1e-40", 9, 9}, params);
    EXPECT_LT(escaping.reference_length(), 10u);
    // The centre of the period-3 bulb's nucleus: the reference stops at its period.
    const DeepRender periodic(
        DeepView{"-0.12256116687665361237", "0.74486176661974423659", "1e-15", 9, 9}, params);
    EXPECT_LE(periodic.reference_length(), 4u);
}

}  // namespace

namespace {

// Found by fuzz/deep_view_fuzz: a pixel squared towards the attracting 0 of c = 0 doubles its
// exponent every step (a 64-bit overflow after about 60 steps, undefined behaviour), and a
// centre beyond a double's range made the escaping iterate's |z|^2 NaN.
TEST(DeepRender, ExponentsStayBoundedAndOverflowReadsInfinite) {
    DeepParams params;
    params.family = Family::julia;
    params.c_re = "0";
    params.c_im = "0";
    params.itermax = 1000;
    const DeepRender converging(DeepView{"-0.75", "0.1", "1e-3", 4, 4}, params);
    std::vector<std::uint32_t> counts(16);
    converging.render(converging.full_window(), FieldBuffers{.counts = counts});
    for (const std::uint32_t c : counts) EXPECT_EQ(c, 1000u);  // |z0| < 1: never escapes

    params.c_re = "-0.1";
    params.c_im = "0.65";
    params.itermax = 100;
    const DeepRender far(DeepView{"0", "1e20000", "25", 3, 3}, params);
    std::vector<std::uint32_t> far_counts(9);
    std::vector<double> smooth(9), norm(9), distance(9);
    far.render(far.full_window(), FieldBuffers{.counts = far_counts,
                                               .smooth = smooth,
                                               .final_norm = norm,
                                               .distance = distance});
    for (std::size_t k = 0; k < 9; ++k) {
        EXPECT_EQ(far_counts[k], 0u);  // the first iterate is outside
        EXPECT_FALSE(std::isnan(smooth[k])) << k;
        EXPECT_TRUE(std::isinf(norm[k]) && norm[k] > 0.0) << k;
        EXPECT_EQ(distance[k], 0.0) << k;
    }
}

}  // namespace
