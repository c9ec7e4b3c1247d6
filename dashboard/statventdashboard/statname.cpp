// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/statname.h>

#include <algorithm>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

bool needsEscape(QChar c)
{
    return c == u'\\' || c.isSurrogate();
}

QString hex(uint value, int digits)
{
    return QString::number(value, 16).rightJustified(digits, u'0');
}

} // namespace

QString StatName::display(const QString &name)
{
    // Almost every name is shown as it is, and shares the caller's string.
    if (std::none_of(name.cbegin(), name.cend(), needsEscape))
        return name;
    QString shown;
    shown.reserve(name.size() + 8);
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        if (c == u'\\') {
            shown += u"\\\\"_s;
        } else if (c.isHighSurrogate() && i + 1 < name.size() && name[i + 1].isLowSurrogate()) {
            shown += c;
            shown += name[++i];
        } else if (c.unicode() >= 0xdc80 && c.unicode() <= 0xdcff) {
            shown += u"\\x"_s + hex(uint(c.unicode()) - 0xdc00u, 2);
        } else if (c.isSurrogate()) {
            shown += u"\\u"_s + hex(uint(c.unicode()), 4);
        } else {
            shown += c;
        }
    }
    return shown;
}

} // namespace StatventDashboard
