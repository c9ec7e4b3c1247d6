// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "qmlregistry.h"

#include <statvent/statregistry.h>

#include <QJSEngine>

#include <cmath>

namespace Statvent {

namespace {

//! 2^63 as a double: the first whole number that no longer fits in qint64.
constexpr double Int64Limit = 9223372036854775808.0;

//! A whole number that fits in qint64 stays an integer, as it would be in C++.
StatValue statValue(double number)
{
    if (std::trunc(number) == number && number >= -Int64Limit && number < Int64Limit)
        return qint64(number);
    return number;
}

QString typeName(const QJSValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("undefined");
    if (value.isNull())
        return QStringLiteral("null");
    if (value.isString())
        return QStringLiteral("a string");
    if (value.isBool())
        return QStringLiteral("a boolean");
    return QStringLiteral("an object");
}

} // namespace

QmlRegistry::QmlRegistry(QObject *parent)
    : QObject(parent)
{
}

void QmlRegistry::incr(const QString &name, const QJSValue &value)
{
    if (const std::optional<double> given = number(value, "incr"))
        StatRegistry::global()->incr(name, statValue(*given));
}

void QmlRegistry::set(const QString &name, const QJSValue &value)
{
    if (const std::optional<double> given = number(value, "set"))
        StatRegistry::global()->set(name, statValue(*given));
}

void QmlRegistry::record(const QString &name, const QJSValue &value)
{
    if (const std::optional<double> given = number(value, "record"))
        StatRegistry::global()->record(name, *given);
}

std::optional<double> QmlRegistry::number(const QJSValue &value, const char *function)
{
    if (value.isNumber())
        return value.toNumber();
    // Converting silently would count "5" as 5 and true as 1, and turn "abc" into NaN.
    if (QJSEngine *engine = qjsEngine(this)) {
        engine->throwError(QJSValue::TypeError,
                           QStringLiteral("Statvent.%1: the value must be a number, not %2")
                               .arg(QLatin1StringView(function), typeName(value)));
    }
    return std::nullopt;
}

} // namespace Statvent
