#pragma once

namespace juliaset {

/// The engine's version, also reported by `juliaset --version` and `juliaset.__version__`.
inline constexpr const char* version = "0.2.0";

}  // namespace juliaset
