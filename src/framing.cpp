#include "juliaset/framing.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace juliaset {

namespace {

// Power 3 to 16: {xleft, xright, ybot, ytop}. The measured interiors (rounded to 1e-3), e.g.
// power 3: [-0.693, 0.695] x [-1.325, 1.323]; power 4: [-1.260, 0.797] x [-1.118, 1.117];
// power 16: [-1.047, 1.026] x [-1.042, 1.039]. Odd powers are symmetric under c -> -c.
constexpr std::array<Region, max_power - 2> multibrot_regions = {{
    {-0.80, 0.80, -1.45, 1.45},  // 3
    {-1.40, 0.90, -1.25, 1.25},  // 4
    {-1.05, 1.05, -1.05, 1.05},  // 5
    {-1.25, 1.10, -1.20, 1.20},  // 6
    {-1.10, 1.10, -1.25, 1.25},  // 7
    {-1.25, 1.15, -1.20, 1.20},  // 8
    {-1.15, 1.15, -1.15, 1.15},  // 9
    {-1.20, 1.15, -1.20, 1.20},  // 10
    {-1.15, 1.15, -1.20, 1.20},  // 11
    {-1.20, 1.15, -1.20, 1.20},  // 12
    {-1.15, 1.15, -1.15, 1.15},  // 13
    {-1.20, 1.15, -1.15, 1.15},  // 14
    {-1.15, 1.15, -1.20, 1.20},  // 15
    {-1.15, 1.15, -1.15, 1.15},  // 16
}};

}  // namespace

Region default_region(Family family, std::uint32_t power) {
    if (power < min_power || power > max_power) {
        throw std::invalid_argument("power must be between " + std::to_string(min_power) +
                                    " and " + std::to_string(max_power) + ", got " +
                                    std::to_string(power));
    }
    if (family == Family::julia) return {-1.6, 1.6, -1.0, 1.0};
    if (power == 2) return {-2.0, 1.0, -1.0, 1.0};
    return multibrot_regions[power - 3];
}

}  // namespace juliaset
