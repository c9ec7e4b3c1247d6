// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_LOGGING_H
#define STATVENT_LOGGING_H

#include <QByteArrayView>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcStatvent)
Q_DECLARE_LOGGING_CATEGORY(lcStatventRecorder)

namespace Statvent::Detail {

//! The one wording of "this update was refused": `ignoring <operation> of "<name>": <reason>`.
void warnRefused(QByteArrayView name, const char *operation, const char *reason);

//! Says that a real sum went past the largest finite double and was saturated there.
void warnSaturated(QByteArrayView name);

inline constexpr char NonFiniteReason[] = "the value is not a finite number";

} // namespace Statvent::Detail

#endif
