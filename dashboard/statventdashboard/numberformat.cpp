// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/numberformat.h>

#include <QLocale>

#include <cmath>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace NumberFormat {

namespace {

// A fixed English locale: the screenshot and the tests read the same on every machine.
const QLocale &locale()
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english;
}

} // namespace

QString number(double value)
{
    const double magnitude = std::abs(value);
    if (magnitude >= 1e15)
        return locale().toString(value, 'g', 4);
    if (magnitude == std::floor(magnitude) || magnitude >= 1000)
        return locale().toString(value, 'f', 0);
    if (magnitude >= 1)
        return locale().toString(value, 'f', 2);
    return locale().toString(value, 'g', 3);
}

QString integer(qint64 value)
{
    return locale().toString(value);
}

QString rate(double perSecond)
{
    return number(perSecond) + u"/s"_s;
}

} // namespace NumberFormat

} // namespace StatventDashboard
