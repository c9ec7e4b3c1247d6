// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_STATNAME_H
#define STATVENTDASHBOARD_STATNAME_H

#include <QString>

namespace StatventDashboard {

//! How the dashboard shows a stat's name: wherever a name is shown, it goes through here.
namespace StatName {

/*!
 * \a name as shown in the table, the chart titles and the legends. A stat's name is arbitrary
 * bytes; statvent-web sends each byte that is not valid UTF-8 as a lone surrogate U+DC80..U+DCFF
 * (docs/HTTP-API.md), which a font draws as one replacement character for every byte. Such a
 * byte is shown as `\xNN` instead, so that `caf\xe9` and `caf\xe8` stay apart; any other lone
 * surrogate (from a foreign service) as `\uXXXX`, and a backslash as `\\`, so that no two names
 * look the same. Every other character is shown as it is.
 */
QString display(const QString &name);

} // namespace StatName

} // namespace StatventDashboard

#endif
