// The default view of each set: a region of the plane that frames the whole set.
#pragma once

#include <cstdint>

#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"

namespace juliaset {

/// The region shown when none is given (the command's --mandelbrot, juliaset.mandelbrot and
/// image_parameters). The Julia family keeps the seed's [-1.6, 1.6] x [-1, 1] at every power;
/// the Mandelbrot family of power 2 keeps [-2, 1] x [-1, 1]; each multibrot set (power 3 to 16)
/// gets a region containing it: the bounding box of its interior (measured at 1600 x 1600
/// samples, 2000 iterations; docs/design.md, "Default views") widened by 0.1 on every side and rounded out
/// to multiples of 0.05. Throws std::invalid_argument for a power outside
/// [min_power, max_power].
[[nodiscard]] Region default_region(Family family, std::uint32_t power);

}  // namespace juliaset
