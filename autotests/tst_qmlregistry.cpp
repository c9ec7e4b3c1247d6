// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// The QML singleton `Statvent` (QmlRegistry), driven from real QML in a headless engine that
// loads the built plugin through its qmldir, the way an application's engine does.

#include "statventtest.h"

#include <statvent/statregistry.h>

#include <QQmlComponent>
#include <QQmlEngine>
#include <QTest>

#include <limits>
#include <memory>

using namespace Statvent;
using namespace Qt::StringLiterals;

class tst_QmlRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void updatesTheGlobalRegistry_data();
    void updatesTheGlobalRegistry();
    void recordReportsAggregates();
    void rejectsValuesThatAreNotNumbers_data();
    void rejectsValuesThatAreNotNumbers();
    void registryRefusalsWarn_data();
    void registryRefusalsWarn();

private:
    //! Runs \a statements in Component.onCompleted; returns the message of what they threw, if anything.
    QString run(const QString &statements);
};

QString tst_QmlRegistry::run(const QString &statements)
{
    QQmlEngine engine;
    engine.addImportPath(QStringLiteral(STATVENT_QML_IMPORT_DIR));
    QQmlComponent component(&engine);
    const QString source = u"import QtQml\n"
                           "import Statvent\n"
                           "QtObject {\n"
                           "    property string thrown\n"
                           "    Component.onCompleted: { try { "_s
        + statements
        + u" } catch (error) { thrown = error.name + \": \" + error.message } }\n}\n"_s;
    component.setData(source.toUtf8(), QUrl(QStringLiteral("qrc:/tst_qmlregistry.qml")));
    const std::unique_ptr<QObject> object(component.create());
    if (!object)
        qFatal("the test component did not load: %s", qPrintable(component.errorString()));
    return object->property("thrown").toString();
}

void tst_QmlRegistry::updatesTheGlobalRegistry_data()
{
    QTest::addColumn<QString>("statements");
    QTest::addColumn<QString>("name");
    QTest::addColumn<StatValue>("expected");

    // QML numbers are doubles: a whole one must still count as an integer, as in C++.
    QTest::newRow("incr, no value")
        << u"Statvent.incr(\"qml.clicks\")"_s << u"qml.clicks"_s << StatValue(1);
    QTest::newRow("incr twice")
        << u"Statvent.incr(\"qml.twice\"); Statvent.incr(\"qml.twice\", 2)"_s << u"qml.twice"_s
        << StatValue(3);
    QTest::newRow("incr, negative")
        << u"Statvent.incr(\"qml.down\", -4)"_s << u"qml.down"_s << StatValue(-4);
    QTest::newRow("incr, beyond int32")
        << u"Statvent.incr(\"qml.big\", 3e9)"_s << u"qml.big"_s << StatValue(3'000'000'000);
    QTest::newRow("incr, 2^53") << u"Statvent.incr(\"qml.2^53\", Math.pow(2, 53))"_s
                                << u"qml.2^53"_s << StatValue(qint64(1) << 53);
    QTest::newRow("incr, fraction")
        << u"Statvent.incr(\"qml.half\", 0.5)"_s << u"qml.half"_s << StatValue(0.5);
    QTest::newRow("incr, integer then fraction")
        << u"Statvent.incr(\"qml.mixed\", 2); Statvent.incr(\"qml.mixed\", 0.5)"_s << u"qml.mixed"_s
        << StatValue(2.5);
    QTest::newRow("set, whole") << u"Statvent.set(\"qml.gauge\", 42)"_s << u"qml.gauge"_s
                                << StatValue(42);
    QTest::newRow("set, fraction")
        << u"Statvent.set(\"qml.ratio\", 0.25)"_s << u"qml.ratio"_s << StatValue(0.25);
    QTest::newRow("set, -2^63 is an integer")
        << u"Statvent.set(\"qml.min\", -Math.pow(2, 63))"_s << u"qml.min"_s
        << StatValue(std::numeric_limits<qint64>::min());
    QTest::newRow("set, 2^63 is beyond qint64") << u"Statvent.set(\"qml.max\", Math.pow(2, 63))"_s
                                                << u"qml.max"_s << StatValue(9223372036854775808.0);
    QTest::newRow("set replaces")
        << u"Statvent.set(\"qml.replaced\", 1.5); Statvent.set(\"qml.replaced\", 7)"_s
        << u"qml.replaced"_s << StatValue(7);
    QTest::newRow("name with punctuation")
        << u"Statvent.incr(\"qml: a/b {x} é\")"_s << u"qml: a/b {x} é"_s << StatValue(1);
}

void tst_QmlRegistry::updatesTheGlobalRegistry()
{
    QFETCH(QString, statements);
    QFETCH(QString, name);
    QFETCH(StatValue, expected);

    QTest::failOnWarning(StatventTest::anyRefusal());
    QCOMPARE(StatRegistry::global()->value(name), std::nullopt);
    QCOMPARE(run(statements), QString());
    QCOMPARE(StatRegistry::global()->value(name), expected);
}

void tst_QmlRegistry::recordReportsAggregates()
{
    QCOMPARE(run(u"for (let i = 1; i <= 4; ++i) Statvent.record(\"qml.latency.{0}\", i)"_s),
             QString());

    const Snapshot snapshot = StatRegistry::global()->snapshot();
    const auto row = [&snapshot](QByteArrayView name) -> std::optional<StatValue> {
        for (const StatEntry &entry : snapshot) {
            if (entry.name == name)
                return entry.value;
        }
        return std::nullopt;
    };
    // Windows hold reals whatever QML passed: the aggregates are reals too.
    QCOMPARE(row("qml.latency.median"), StatValue(2.0));
    QCOMPARE(row("qml.latency.100th"), StatValue(4.0));
    QCOMPARE(row("qml.latency.mean"), StatValue(2.5));
}

void tst_QmlRegistry::rejectsValuesThatAreNotNumbers_data()
{
    QTest::addColumn<QString>("statements");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("thrown");

    QTest::newRow("incr, string")
        << u"Statvent.incr(\"qml.bad.string\", \"5\")"_s << u"qml.bad.string"_s
        << u"TypeError: Statvent.incr: the value must be a number, not a string"_s;
    QTest::newRow("incr, boolean")
        << u"Statvent.incr(\"qml.bad.bool\", true)"_s << u"qml.bad.bool"_s
        << u"TypeError: Statvent.incr: the value must be a number, not a boolean"_s;
    QTest::newRow("set, undefined")
        << u"Statvent.set(\"qml.bad.undefined\", undefined)"_s << u"qml.bad.undefined"_s
        << u"TypeError: Statvent.set: the value must be a number, not undefined"_s;
    QTest::newRow("set, null")
        << u"Statvent.set(\"qml.bad.null\", null)"_s << u"qml.bad.null"_s
        << u"TypeError: Statvent.set: the value must be a number, not null"_s;
    QTest::newRow("record, object")
        << u"Statvent.record(\"qml.bad.object.{0}\", {})"_s << u"qml.bad.object.{0}"_s
        << u"TypeError: Statvent.record: the value must be a number, not an object"_s;
}

void tst_QmlRegistry::rejectsValuesThatAreNotNumbers()
{
    QFETCH(QString, statements);
    QFETCH(QString, name);
    QFETCH(QString, thrown);

    const int windowsBefore = StatRegistry::global()->windowCount();
    QCOMPARE(run(statements), thrown);
    QCOMPARE(StatRegistry::global()->value(name), std::nullopt);
    QCOMPARE(StatRegistry::global()->windowCount(), windowsBefore);
}

void tst_QmlRegistry::registryRefusalsWarn_data()
{
    QTest::addColumn<QString>("statements");
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason");

    QTest::newRow("incr NaN") << u"Statvent.incr(\"qml.nan\", NaN)"_s << u"incr"_s << u"qml.nan"_s
                              << u"not a finite number"_s;
    QTest::newRow("set Infinity") << u"Statvent.set(\"qml.inf\", Infinity)"_s << u"set"_s
                                  << u"qml.inf"_s << u"not a finite number"_s;
    QTest::newRow("record -Infinity")
        << u"Statvent.record(\"qml.window.{0}\", -Infinity)"_s << u"record"_s << u"qml.window.{0}"_s
        << u"not a finite number"_s;
    QTest::newRow("empty name") << u"Statvent.incr(\"\")"_s << u"incr"_s << QString()
                                << u"the name is empty"_s;
    QTest::newRow("line break in name") << u"Statvent.set(\"qml\\nbroken\", 1)"_s << u"set"_s
                                        << u"qml\\nbroken"_s << u"line break"_s;
}

void tst_QmlRegistry::registryRefusalsWarn()
{
    QFETCH(QString, statements);
    QFETCH(QString, operation);
    QFETCH(QString, name);
    QFETCH(QString, reason);

    const Snapshot before = StatRegistry::global()->snapshot();
    const QByteArray latin1Operation = operation.toLatin1();
    const QByteArray latin1Reason = reason.toLatin1();
    StatventTest::expectOnce(StatventTest::refusal(QLatin1StringView(latin1Operation), name,
                                                   QLatin1StringView(latin1Reason)));
    QCOMPARE(run(statements), QString());
    QCOMPARE(StatRegistry::global()->snapshot(), before);
}

QTEST_GUILESS_MAIN(tst_QmlRegistry)
#include "tst_qmlregistry.moc"
