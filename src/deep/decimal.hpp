// Private: exact decimal numbers (the deep view's strings) and their conversion to MPFR.
#pragma once

#include <mpfr.h>

#include <cstdint>
#include <string>

namespace juliaset::deep {

/// A validated decimal number: (-1)^negative * 0.digits * 10^exponent10, `digits` without
/// leading or trailing zeros (empty for zero).
struct Decimal {
    bool negative = false;
    std::string digits;
    long exponent10 = 0;

    [[nodiscard]] bool is_zero() const noexcept { return digits.empty(); }
    /// An upper bound of log2 |x| (for zero: a very negative number).
    [[nodiscard]] double log2_upper() const noexcept;
    /// log2 |x| to about 1e-15 relative (for zero: a very negative number).
    [[nodiscard]] double log2_approx() const noexcept;
    /// Bits that hold the digits exactly enough to tell this number from its neighbours at
    /// the last digit: about digits * log2(10).
    [[nodiscard]] std::size_t significant_bits() const noexcept;
};

/// Parses and validates; throws std::invalid_argument "ARGUMENT: ..." on malformed text or
/// values beyond max_deep_digits / max_deep_exponent.
[[nodiscard]] Decimal parse_decimal(const std::string& text, const std::string& argument);

/// RAII MPFR number.
class Mpfr {
public:
    explicit Mpfr(mpfr_prec_t bits) { mpfr_init2(value_, bits); }
    ~Mpfr() { mpfr_clear(value_); }
    Mpfr(const Mpfr&) = delete;
    Mpfr& operator=(const Mpfr&) = delete;
    mpfr_ptr get() noexcept { return value_; }
    mpfr_srcptr get() const noexcept { return value_; }
    operator mpfr_ptr() noexcept { return value_; }
    operator mpfr_srcptr() const noexcept { return value_; }

private:
    mpfr_t value_;
};

/// Sets `out` to the decimal, rounded to nearest at out's precision.
void set_decimal(mpfr_ptr out, const Decimal& value);

}  // namespace juliaset::deep
