// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/dashboardoptions.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

DashboardOptions failure(const QString &message)
{
    DashboardOptions options;
    options.action = DashboardOptions::Action::Fail;
    options.message = message;
    return options;
}

//! windowChoices() as a sentence's list: "1, 5, 15 or 60".
QString windowChoicesText()
{
    const QList<int> choices = DashboardOptions::windowChoices();
    QStringList numbers;
    for (int minutes : choices)
        numbers.append(QString::number(minutes));
    const QString last = numbers.takeLast();
    return numbers.isEmpty() ? last : numbers.join(u", "_s) + u" or "_s + last;
}

} // namespace

QUrl DashboardOptions::defaultUrl()
{
    return QUrl(u"http://127.0.0.1:7828/stats"_s);
}

QList<int> DashboardOptions::windowChoices()
{
    return {1, 5, 15, 60};
}

QUrl DashboardOptions::parseUrl(const QString &text, QString *error)
{
    auto fail = [&](const QString &reason) {
        if (error)
            *error = reason;
        return QUrl();
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(u"no URL given"_s);
    // fromUserInput() turns "host:port/path" into http://host:port/path, and a bare "/path" into a
    // file URL, which the scheme check below refuses.
    const QUrl url = QUrl::fromUserInput(trimmed);
    if (!url.isValid())
        return fail(u"\""_s + trimmed + u"\" is not a URL"_s);
    if (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)
        return fail(u"\""_s + trimmed + u"\" is not an http:// or https:// URL"_s);
    if (url.host().isEmpty())
        return fail(u"\""_s + trimmed + u"\" names no host"_s);
    return url;
}

DashboardOptions DashboardOptions::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Live charts of the stats that statvent-web serves."_s);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption urlOption(
        u"url"_s, u"The service's stats URL (default %1)."_s.arg(defaultUrl().toString()),
        u"url"_s);
    const QCommandLineOption intervalOption(
        u"interval"_s, u"Milliseconds between polls (default 1000)."_s, u"ms"_s);
    const QCommandLineOption windowOption(
        u"window"_s,
        u"Minutes the charts show: %1 (default %2)."_s.arg(windowChoicesText(),
                                                           QString::number(DefaultWindowMinutes)),
        u"min"_s);
    const QCommandLineOption processOption(
        u"process"_s, u"Show the process <pid> only, not all processes summed."_s, u"pid"_s);
    const QCommandLineOption plotOption(
        u"plot"_s, u"Plot the stat <name> (rates for counters); may be repeated."_s, u"name"_s);
    const QCommandLineOption distributionOption(
        u"distribution"_s, u"Show the distribution of the sample window <name>."_s, u"name"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s, u"Poll, save a PNG of the whole window to <file>, exit."_s, u"file"_s);
    const QCommandLineOption afterOption(
        u"after"_s,
        u"With --screenshot: the number of polls first (default %1)."_s.arg(DefaultScreenshotPolls),
        u"n"_s);
    parser.addOptions({urlOption, intervalOption, windowOption, processOption, plotOption,
                       distributionOption, screenshotOption, afterOption});

    if (!parser.parse(arguments))
        return failure(parser.errorText());
    if (parser.isSet(helpOption) || parser.isSet(u"help-all"_s)) {
        DashboardOptions options;
        options.action = Action::ShowHelp;
        // Parsed before QApplication exists, the parser cannot know the program's name.
        options.message = parser.helpText().replace(u"<executable_name>"_s,
                                                    QFileInfo(arguments.value(0)).fileName());
        return options;
    }
    if (parser.isSet(versionOption)) {
        DashboardOptions options;
        options.action = Action::ShowVersion;
        options.message =
            QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion();
        return options;
    }
    if (!parser.positionalArguments().isEmpty())
        return failure(u"unexpected argument \""_s + parser.positionalArguments().constFirst()
                       + u'"');

    DashboardOptions options;
    if (parser.isSet(urlOption)) {
        QString error;
        const QUrl url = parseUrl(parser.value(urlOption), &error);
        if (url.isEmpty())
            return failure(u"--url: "_s + error);
        options.url = url;
    }
    if (parser.isSet(intervalOption)) {
        bool ok = false;
        const qint64 ms = parser.value(intervalOption).toLongLong(&ok);
        if (!ok || ms < MinIntervalMs || ms > MaxIntervalMs) {
            return failure(
                u"--interval: \"%1\" is not a number of milliseconds between %2 and %3"_s.arg(
                    parser.value(intervalOption), QString::number(MinIntervalMs),
                    QString::number(MaxIntervalMs)));
        }
        options.interval = std::chrono::milliseconds(ms);
    }
    if (parser.isSet(windowOption)) {
        bool ok = false;
        const int minutes = parser.value(windowOption).toInt(&ok);
        if (!ok || !windowChoices().contains(minutes))
            return failure(u"--window: \""_s + parser.value(windowOption) + u"\" is not one of "_s
                           + windowChoicesText() + u" minutes"_s);
        options.windowMinutes = minutes;
    }
    if (parser.isSet(processOption)) {
        bool ok = false;
        const qint64 pid = parser.value(processOption).toLongLong(&ok);
        if (!ok || pid <= 0)
            return failure(u"--process: \""_s + parser.value(processOption) + u"\" is not a pid"_s);
        options.process = pid;
    }
    options.plottedStats = parser.values(plotOption);
    options.distributionWindow = parser.value(distributionOption);
    if (parser.isSet(afterOption)) {
        if (!parser.isSet(screenshotOption))
            return failure(u"--after only makes sense with --screenshot"_s);
        bool ok = false;
        options.screenshotPolls = parser.value(afterOption).toInt(&ok);
        if (!ok || options.screenshotPolls < 1)
            return failure(u"--after: \""_s + parser.value(afterOption)
                           + u"\" is not a number of polls (1 or more)"_s);
    }
    if (parser.isSet(screenshotOption)) {
        options.screenshotFile = parser.value(screenshotOption);
        if (options.screenshotFile.isEmpty())
            return failure(u"--screenshot: no file name given"_s);
    }
    return options;
}

} // namespace StatventDashboard
