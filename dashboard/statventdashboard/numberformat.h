// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_NUMBERFORMAT_H
#define STATVENTDASHBOARD_NUMBERFORMAT_H

#include <QString>

namespace StatventDashboard {

//! Values as operators read them: grouped thousands, a few significant digits, no exponent soup.
namespace NumberFormat {

//! `1,234,567`, `12.35`, `0.00123`, `1.5E+18`.
QString number(double value);
//! An exact integer with grouped thousands: `9,223,372,036,854,775,807`.
QString integer(qint64 value);
//! number() followed by `/s`.
QString rate(double perSecond);

} // namespace NumberFormat

} // namespace StatventDashboard

#endif
