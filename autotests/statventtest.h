// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What the library's tests share: readable QCOMPARE output for values and rows, test-data columns
// of library types, the sample files and the wording of "update refused" warnings.
#ifndef STATVENT_AUTOTESTS_STATVENTTEST_H
#define STATVENT_AUTOTESTS_STATVENTTEST_H

#include <statvent/pipeformat.h>
#include <statvent/statentry.h>
#include <statvent/statvalue.h>

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <limits>
#include <optional>

Q_DECLARE_METATYPE(Statvent::StatValue)
Q_DECLARE_METATYPE(Statvent::StatValue::Type)
Q_DECLARE_METATYPE(Statvent::StatEntry)
Q_DECLARE_METATYPE(Statvent::PipeFormat::LineError)

namespace StatventTest {

//! A value as the pipe writes it, with its type, so that 3 and 3.0 are told apart.
inline QByteArray describe(const Statvent::StatValue &value)
{
    QByteArray text;
    Statvent::PipeFormat::appendValue(text, value);
    return text + (value.isInteger() ? " (integer)" : " (real)");
}

} // namespace StatventTest

namespace Statvent {

// The toString() overloads are found by QCOMPARE through argument-dependent lookup.
inline char *toString(const StatValue &value)
{
    return qstrdup(StatventTest::describe(value).constData());
}

inline char *toString(const StatEntry &entry)
{
    return qstrdup(QByteArray(entry.name + ": " + StatventTest::describe(entry.value)).constData());
}

inline char *toString(const std::optional<StatValue> &value)
{
    return value ? toString(*value) : qstrdup("(no statistic)");
}

} // namespace Statvent

namespace StatventTest {

inline QByteArray readSample(const char *fileName)
{
    QFile file(QLatin1StringView(STATVENT_SAMPLES_DIR "/") + QLatin1StringView(fileName));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the sample %s: %s", fileName, qPrintable(file.errorString()));
    return file.readAll();
}

/*!
 * The warning the library gives when it refuses an update:
 * `ignoring <operation> of "<name>": <reason>`. \a shownName is the name as QDebug prints it
 * (control characters escaped, cut at 200 bytes); \a reason may be a fragment of the reason.
 */
inline QRegularExpression refusal(QLatin1StringView operation, const QString &shownName,
                                  QLatin1StringView reason)
{
    return QRegularExpression(QLatin1StringView("^ignoring ")
                              + QRegularExpression::escape(operation) + QLatin1StringView(" of \"")
                              + QRegularExpression::escape(shownName) + QLatin1StringView("\": .*")
                              + QRegularExpression::escape(reason));
}

//! Any refusal at all, for tests where none may appear.
inline QRegularExpression anyRefusal()
{
    return QRegularExpression(QStringLiteral("^ignoring "));
}

//! A `double value` column with NaN, +inf and -inf: the values no statistic may hold.
inline void addNonFiniteValueRows()
{
    QTest::addColumn<double>("value");
    QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("+inf") << std::numeric_limits<double>::infinity();
    QTest::newRow("-inf") << -std::numeric_limits<double>::infinity();
}

/*!
 * Expects \a warning exactly once from here to the end of the test function: the first one is
 * swallowed (QTest fails the test if it never comes), any later one fails the test.
 */
inline void expectOnce(const QRegularExpression &warning)
{
    QTest::ignoreMessage(QtWarningMsg, warning);
    QTest::failOnWarning(warning);
}

} // namespace StatventTest

#endif
