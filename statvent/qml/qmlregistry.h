// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_QMLREGISTRY_H
#define STATVENT_QMLREGISTRY_H

#include <statvent/statvalue.h>

#include <QJSValue>
#include <QObject>
#include <QtQmlIntegration/qqmlintegration.h>

#include <optional>

namespace Statvent {

/*!
 * The QML face of StatRegistry::global(): the singleton `Statvent` of the QML module `Statvent`.
 *
 * \code
 * import Statvent
 * Button { onClicked: Statvent.incr("clicks") }
 * \endcode
 *
 * StatRegistry's own functions take QAnyStringView and StatValue, which QML cannot pass, so
 * this object forwards to them. QML has one number type, a double, and hands over 5 and 5.0
 * alike; a whole number (within the qint64 range) therefore becomes an integer statistic, any
 * other number a real one, so `Statvent.incr("clicks")` counts in integers like C++ does.
 * A value that is not a number (a string, a boolean, undefined) throws a TypeError at the
 * caller and changes nothing; names and non-finite numbers are checked by the registry, which
 * warns as it does for C++ callers.
 */
class QmlRegistry : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Statvent)
    QML_SINGLETON

public:
    explicit QmlRegistry(QObject *parent = nullptr);

    //! StatRegistry::incr(): adds \a value (1 if omitted).
    Q_INVOKABLE void incr(const QString &name, const QJSValue &value = QJSValue(1));
    //! StatRegistry::set(): replaces the value.
    Q_INVOKABLE void set(const QString &name, const QJSValue &value);
    //! StatRegistry::record(): adds a sample to the window \a name (with its `{0}` placeholder).
    Q_INVOKABLE void record(const QString &name, const QJSValue &value);

private:
    //! The number in \a value, or nullopt after throwing a TypeError naming \a function.
    std::optional<double> number(const QJSValue &value, const char *function);
};

} // namespace Statvent

#endif
