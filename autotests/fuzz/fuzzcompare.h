// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Bit-exact comparison of values and snapshots: StatValue's operator== holds -0.0 equal to 0.0,
// but a round trip must give back the very same bits.
#ifndef STATVENT_FUZZ_FUZZCOMPARE_H
#define STATVENT_FUZZ_FUZZCOMPARE_H

#include <statvent/statentry.h>

#include <bit>

namespace StatventFuzz {

inline bool identical(const Statvent::StatValue &a, const Statvent::StatValue &b) noexcept
{
    if (a.type() != b.type())
        return false;
    if (a.isInteger())
        return a.toInteger() == b.toInteger();
    return std::bit_cast<quint64>(a.toReal()) == std::bit_cast<quint64>(b.toReal());
}

inline bool identical(const Statvent::Snapshot &a, const Statvent::Snapshot &b) noexcept
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(),
                      [](const Statvent::StatEntry &x, const Statvent::StatEntry &y) {
                          return x.name == y.name && identical(x.value, y.value);
                      });
}

} // namespace StatventFuzz

#endif
