// The whole public C++ API of the juliaset core.
#pragma once

#include "juliaset/color.hpp"
#include "juliaset/escape.hpp"
#include "juliaset/fields.hpp"
#include "juliaset/framing.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"
#include "juliaset/version.hpp"
