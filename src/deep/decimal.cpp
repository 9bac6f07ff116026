// Decimal strings: our own syntax check (mpfr_set_str alone would accept "nan", "inf", hex
// and leading blanks), then MPFR's correctly rounded conversion.
#include "deep/decimal.hpp"

#include <cmath>
#include <stdexcept>

#include "juliaset/deep.hpp"

namespace juliaset::deep {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string quoted(const std::string& text) {
    constexpr std::size_t shown = 40;
    std::string out(1, '\'');
    out.append(text, 0, shown);
    if (text.size() <= shown) {
        out.push_back('\'');
    } else {
        out.append("...' (");
        out.append(std::to_string(text.size()));
        out.append(" characters)");
    }
    return out;
}

[[noreturn]] void malformed(const std::string& text, const std::string& argument) {
    throw std::invalid_argument(argument + ": malformed decimal number " + quoted(text) +
                                " (expected an optional sign, digits with an optional point "
                                "and an optional exponent, e.g. -1.25e-40)");
}

}  // namespace

double Decimal::log2_upper() const noexcept {
    if (is_zero()) return -1e18;
    // 0.d1d2... * 10^e < 10^e
    return static_cast<double>(exponent10) * std::log2(10.0);
}

double Decimal::log2_approx() const noexcept {
    if (is_zero()) return -1e18;
    double mantissa = 0.0;  // 0.d1d2... in [0.1, 1), from the first 17 digits
    double place = 0.1;
    for (std::size_t k = 0; k < digits.size() && k < 17; ++k, place *= 0.1) {
        mantissa += (digits[k] - '0') * place;
    }
    return static_cast<double>(exponent10) * std::log2(10.0) + std::log2(mantissa);
}

std::size_t Decimal::significant_bits() const noexcept {
    return static_cast<std::size_t>(std::ceil(static_cast<double>(digits.size()) * 3.3219280948873623)) + 2;
}

Decimal parse_decimal(const std::string& text, const std::string& argument) {
    const std::size_t max_length = max_deep_digits + static_cast<std::size_t>(max_deep_exponent) + 64;
    if (text.size() > max_length) {
        throw std::invalid_argument(argument + ": decimal number of " +
                                    std::to_string(text.size()) + " characters is too long (at most " +
                                    std::to_string(max_length) + ")");
    }
    Decimal out;
    std::size_t p = 0;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
        out.negative = text[p] == '-';
        ++p;
    }
    // Mantissa: digits [. digits]; at least one digit in all.
    std::string all;  // every mantissa digit, in order
    long point = -1;  // digits before the point
    std::size_t mantissa_digits = 0;
    while (p < text.size() && is_digit(text[p])) {
        all.push_back(text[p++]);
        ++mantissa_digits;
    }
    if (p < text.size() && text[p] == '.') {
        point = static_cast<long>(all.size());
        ++p;
        while (p < text.size() && is_digit(text[p])) {
            all.push_back(text[p++]);
            ++mantissa_digits;
        }
    }
    if (mantissa_digits == 0) malformed(text, argument);
    if (point < 0) point = static_cast<long>(all.size());
    long exponent = 0;
    if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
        ++p;
        bool negative_exponent = false;
        if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
            negative_exponent = text[p] == '-';
            ++p;
        }
        std::size_t exponent_digits = 0;
        while (p < text.size() && is_digit(text[p])) {
            if (exponent < 1000000000L) exponent = exponent * 10 + (text[p] - '0');
            ++p;
            ++exponent_digits;
        }
        if (exponent_digits == 0) malformed(text, argument);
        if (negative_exponent) exponent = -exponent;
    }
    if (p != text.size()) malformed(text, argument);

    // Strip leading and trailing zeros: value = 0.digits * 10^(point - leading + exponent).
    std::size_t first = 0;
    while (first < all.size() && all[first] == '0') ++first;
    std::size_t last = all.size();
    while (last > first && all[last - 1] == '0') --last;
    if (first == last) {  // zero
        out.negative = false;
        return out;
    }
    out.digits = all.substr(first, last - first);
    if (out.digits.size() > max_deep_digits) {
        throw std::invalid_argument(argument + ": " + std::to_string(out.digits.size()) +
                                    " significant digits are more than the " +
                                    std::to_string(max_deep_digits) + " supported");
    }
    const long e10 = point - static_cast<long>(first) + exponent;
    if (e10 > max_deep_exponent + 1 || e10 < -max_deep_exponent + 1) {
        throw std::invalid_argument(argument + ": " + quoted(text) +
                                    " is out of the supported range (magnitudes from 1e-" +
                                    std::to_string(max_deep_exponent) + " to 1e" +
                                    std::to_string(max_deep_exponent) + ")");
    }
    out.exponent10 = e10;
    return out;
}

void set_decimal(mpfr_ptr out, const Decimal& value) {
    if (value.is_zero()) {
        mpfr_set_zero(out, 1);
        return;
    }
    // "[-]0.DIGITS e EXP" in MPFR's syntax: correctly rounded at out's precision.
    std::string s;
    s.reserve(value.digits.size() + 32);
    if (value.negative) s.push_back('-');
    s += "0.";
    s += value.digits;
    s += "e";
    s += std::to_string(value.exponent10);
    if (mpfr_set_str(out, s.c_str(), 10, MPFR_RNDN) != 0) {
        throw std::logic_error("mpfr_set_str rejected a validated decimal");
    }
}

}  // namespace juliaset::deep
