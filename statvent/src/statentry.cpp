// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/statentry.h"

namespace Statvent {

StatKind combinedKind(StatKind a, StatKind b) noexcept
{
    if (a == b)
        return a;
    // A counter beside a gauge: the sum can go down, so it is only a gauge. Anything beside an
    // untyped statistic, or a window row beside anything else, is not known to be either.
    const auto plain = [](StatKind kind) {
        return kind == StatKind::Counter || kind == StatKind::Gauge;
    };
    if (plain(a) && plain(b))
        return StatKind::Gauge;
    return StatKind::Untyped;
}

} // namespace Statvent
