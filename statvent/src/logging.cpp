// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "logging.h"

#include <QDebug>

Q_LOGGING_CATEGORY(lcStatvent, "statvent", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStatventRecorder, "statvent.recorder", QtInfoMsg)

namespace Statvent::Detail {

void warnRefused(QByteArrayView name, const char *operation, const char *reason)
{
    // QDebug quotes the name and escapes control characters, so a name with a line break
    // is shown, not obeyed. Long names are cut: the first 200 bytes say which one it is.
    const QByteArray shown = name.first(std::min<qsizetype>(name.size(), 200)).toByteArray();
    qCWarning(lcStatvent).nospace()
        << "ignoring " << operation << " of " << shown << ": " << reason;
}

void warnSaturated(QByteArrayView name)
{
    const QByteArray shown = name.first(std::min<qsizetype>(name.size(), 200)).toByteArray();
    qCWarning(lcStatvent).nospace() << "saturating " << shown
                                    << ": its sum is beyond the largest finite double, so it stays "
                                       "at +-1.7976931348623157e+308";
}

} // namespace Statvent::Detail
