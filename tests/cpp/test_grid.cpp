#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "juliaset/grid.hpp"

namespace {

using juliaset::PixelGrid;
using juliaset::Region;

template <class Exception, class F>
std::string error_message(F&& make) {
    try {
        make();
    } catch (const Exception& error) {
        return error.what();
    }
    ADD_FAILURE() << "no exception thrown";
    return {};
}

TEST(PixelGrid, HeightFollowsTheSeedRoundingRule) {
    EXPECT_EQ(PixelGrid(Region{-1.6, 1.6, -1, 1}, 1000).height(), 625u);
    EXPECT_EQ(PixelGrid(Region{-0.1, 0.1, -0.1, 0.1}, 4000).height(), 4000u);
    // 3 * 0.5 / 1 = 1.5 rounds half away from zero to 2, not to even.
    EXPECT_EQ(PixelGrid(Region{0, 1, 0, 0.5}, 3).height(), 2u);
    EXPECT_EQ(PixelGrid(Region{0, 1, 0, 0.5}, 5).height(), 3u);
    // Reversed bounds use absolute extents.
    EXPECT_EQ(PixelGrid(Region{1.6, -1.6, 1, -1}, 1000).height(), 625u);
}

TEST(PixelGrid, SamplesLeftAndTopEdgesButNotRightAndBottom) {
    const PixelGrid grid(Region{-2, 2, -1, 1}, 8);
    EXPECT_EQ(grid.width(), 8u);
    EXPECT_EQ(grid.height(), 4u);
    EXPECT_EQ(grid.x(0), -2.0);
    EXPECT_EQ(grid.x(7), 1.5);
    EXPECT_EQ(grid.y(0), 1.0);
    EXPECT_EQ(grid.y(3), -0.5);
}

TEST(PixelGrid, CoordinatesUseTheSeedOrderOfOperations) {
    const Region region{-0.1, 0.1, -0.1, 0.1};
    const PixelGrid grid(region, 4000);
    for (std::size_t i : {0u, 1u, 3u, 1234u, 3999u}) {
        const double expected = static_cast<double>(i) / 4000.0 * (0.1 - -0.1) + -0.1;
        EXPECT_EQ(grid.x(i), expected) << i;
        const double expected_y = static_cast<double>(i) / 4000.0 * (-0.1 - 0.1) + 0.1;
        EXPECT_EQ(grid.y(i), expected_y) << i;
    }
}

TEST(PixelGrid, RejectsBadRegionsWithMessagesNamingTheProblem) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_NE(error_message<std::invalid_argument>([&] { PixelGrid(Region{nan, 1, 0, 1}, 10); })
                  .find("xleft"), std::string::npos);
    EXPECT_NE(error_message<std::invalid_argument>([&] { PixelGrid(Region{0, 1, 0, inf}, 10); })
                  .find("ytop"), std::string::npos);
    EXPECT_NE(error_message<std::invalid_argument>([] { PixelGrid(Region{1, 1, 0, 1}, 10); })
                  .find("xleft and xright must differ"), std::string::npos);
    EXPECT_NE(error_message<std::invalid_argument>([] { PixelGrid(Region{0, 1, 2, 2}, 10); })
                  .find("ybot and ytop must differ"), std::string::npos);
    EXPECT_NE(error_message<std::invalid_argument>([] { PixelGrid(Region{0, 1, 0, 1}, 0); })
                  .find("resolution"), std::string::npos);
    EXPECT_NE(error_message<std::invalid_argument>([] { PixelGrid(Region{0, 1, 0, 1e-9}, 10); })
                  .find("too flat"), std::string::npos);
    EXPECT_NE(error_message<std::length_error>([] { PixelGrid(Region{0, 1e-9, 0, 1}, 10); })
                  .find("too tall"), std::string::npos);
    EXPECT_THROW(PixelGrid(Region{-1e308, 1e308, 0, 1}, 10), std::invalid_argument);
    EXPECT_THROW(PixelGrid(Region{0, 1, 0, 1}, juliaset::max_grid_side + 1), std::length_error);
}

TEST(PixelGrid, WindowsMustLieInsideTheGrid) {
    const PixelGrid grid(Region{0, 1, 0, 1}, 10);
    EXPECT_NO_THROW(grid.check_window({0, 0, 10, 10}));
    EXPECT_NO_THROW(grid.check_window({9, 9, 1, 1}));
    EXPECT_NO_THROW(grid.check_window({10, 10, 0, 0}));
    EXPECT_THROW(grid.check_window({5, 0, 6, 1}), std::out_of_range);
    EXPECT_THROW(grid.check_window({0, 11, 0, 0}), std::out_of_range);
    EXPECT_THROW(grid.check_window({1, 0, std::numeric_limits<std::size_t>::max(), 1}),
                 std::out_of_range);
}

}  // namespace
