// SPDX-License-Identifier: MIT
#include <statventweb/statsserver.h>

#include <statventweb/guardedtcpserver.h>
#include <statventweb/jsonwriter.h>
#include <statventweb/pipecollector.h>
#include <statventweb/prometheuswriter.h>
#include <statventweb/statcombiner.h>

#include <QHash>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <algorithm>
#include <optional>
#include <vector>

namespace StatventWeb {

namespace {

using StatusCode = QHttpServerResponder::StatusCode;

constexpr char JsonType[] = "application/json";

enum class Route : quint8 { Stats, Metrics, Health };

//! What a request for statistics asks for.
struct View
{
    Route route = Route::Stats;
    bool byProcess = false;
    StatCombiner::Mode mode = StatCombiner::Mode::Sum;

    //! Tells apart the documents rendered from one sweep.
    int cacheKey() const { return int(route) << 4 | int(byProcess) << 3 | int(mode); }
};

//! The view a query asks for, or the reason it is refused.
struct ParsedQuery
{
    View view;
    QString error;
};

ParsedQuery parseQuery(const QUrlQuery &query, Route route)
{
    ParsedQuery parsed;
    parsed.view.route = route;
    bool aggregateGiven = false;
    bool byGiven = false;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"aggregate") {
            const std::optional<StatCombiner::Mode> mode = StatCombiner::modeFromName(value);
            if (aggregateGiven || !mode) {
                parsed.error = aggregateGiven ? QStringLiteral("aggregate is given more than once")
                                              : QStringLiteral("unknown aggregate \"%1\": use sum, max, min or avg").arg(value);
                return parsed;
            }
            aggregateGiven = true;
            parsed.view.mode = *mode;
        } else if (key == u"by") {
            if (byGiven || value != u"process") {
                parsed.error = byGiven ? QStringLiteral("by is given more than once")
                                       : QStringLiteral("unknown view by=\"%1\": the only one is by=process").arg(value);
                return parsed;
            }
            byGiven = true;
            parsed.view.byProcess = true;
        } else {
            parsed.error = QStringLiteral("unknown query parameter \"%1\": use aggregate=sum|max|min|avg or by=process").arg(key);
            return parsed;
        }
    }
    if (aggregateGiven && byGiven)
        parsed.error = QStringLiteral("by=process shows each process's own values: it takes no aggregate");
    return parsed;
}

//! Tells the connection's guard that its answer is out: it closes it if the request asked to.
void answered(QTcpSocket *socket)
{
    if (GuardedTcpServer *guard = GuardedTcpServer::of(socket))
        guard->answered(socket);
}

void writeJson(QHttpServerResponder &responder, const QByteArray &body, StatusCode status = StatusCode::Ok)
{
    responder.write(body, {{"Content-Type", JsonType}, {"Cache-Control", "no-store"}}, status);
    answered(responder.socket());
}

void writeMessage(QHttpServerResponder &responder, StatusCode status, QStringView message, QStringView path)
{
    writeJson(responder, JsonWriter::message(message, path), status);
}

} // namespace

class StatsServerPrivate
{
public:
    //! A request for statistics that waits for the sweep.
    struct Pending
    {
        QPointer<QTcpSocket> socket;
        QHttpServerResponder responder;
        View view;
    };

    void answerPending(const std::shared_ptr<const SweepResult> &result);
    const QByteArray &render(const View &view, const std::shared_ptr<const SweepResult> &result);

    PipeCollector *collector = nullptr;
    QString statsPath = StatsServer::DefaultStatsPath;
    QString errorString;
    quint16 port = 0;
    int maxConnections = GuardedTcpServer::DefaultMaxConnections;
    std::chrono::milliseconds idleTimeout = GuardedTcpServer::DefaultIdleTimeout;
    std::vector<GuardedTcpServer *> listeners; //!< children of the server
    std::vector<Pending> pending;
    //! Documents rendered from the last sweep: requests that share a sweep share its documents.
    std::shared_ptr<const SweepResult> renderedResult;
    QHash<int, QByteArray> rendered;
};

void StatsServerPrivate::answerPending(const std::shared_ptr<const SweepResult> &result)
{
    std::vector<Pending> waiting;
    waiting.swap(pending);
    for (Pending &request : waiting) {
        // The client may have hung up while the sweep ran: its socket is then gone or closing,
        // and writing through the responder would use a dangling pointer.
        if (!request.socket || request.socket->state() != QAbstractSocket::ConnectedState)
            continue;
        const QByteArray &body = render(request.view, result);
        if (request.view.route == Route::Metrics) {
            request.responder.write(body, {{"Content-Type", PrometheusWriter::ContentType.toByteArray()}, {"Cache-Control", "no-store"}},
                                    StatusCode::Ok);
            answered(request.socket);
        } else {
            writeJson(request.responder, body);
        }
    }
}

const QByteArray &StatsServerPrivate::render(const View &view, const std::shared_ptr<const SweepResult> &result)
{
    if (renderedResult != result) {
        rendered.clear();
        renderedResult = result;
    }
    const auto found = rendered.constFind(view.cacheKey());
    if (found != rendered.constEnd())
        return *found;
    QByteArray body;
    if (view.route == Route::Metrics)
        body = view.byProcess ? PrometheusWriter::byProcess(*result) : PrometheusWriter::combined(*result, view.mode);
    else
        body = view.byProcess ? JsonWriter::byProcess(*result) : JsonWriter::stats(*result, view.mode);
    return *rendered.insert(view.cacheKey(), body);
}

StatsServer::StatsServer(PipeCollector *collector, QObject *parent)
    : QAbstractHttpServer(parent)
    , d(std::make_unique<StatsServerPrivate>())
{
    d->collector = collector;
    connect(collector, &PipeCollector::sweepFinished, this,
            [this](const std::shared_ptr<const SweepResult> &result) { d->answerPending(result); });
}

StatsServer::~StatsServer() = default;

QString StatsServer::statsPath() const
{
    return d->statsPath;
}

bool StatsServer::setStatsPath(const QString &path)
{
    if (!checkStatsPath(path).isEmpty())
        return false;
    d->statsPath = path;
    return true;
}

QString StatsServer::checkStatsPath(const QString &path)
{
    if (!path.startsWith(u'/'))
        return QStringLiteral("the path must start with '/'");
    if (path.contains(u'?') || path.contains(u'#'))
        return QStringLiteral("the path must not contain '?' or '#'");
    if (path == MetricsPath || path == HealthPath)
        return QStringLiteral("%1 is taken by another route").arg(path);
    return {};
}

bool StatsServer::startListening(const QHostAddress &address, quint16 port)
{
    auto *server = new GuardedTcpServer(this);
    server->setMaxConnections(d->maxConnections);
    server->setIdleTimeout(d->idleTimeout);
    server->setErrorBody(JsonType, [](QStringView message) { return JsonWriter::message(message, {}); });
    if (!server->listen(address, port)) {
        d->errorString = server->errorString();
        delete server;
        return false;
    }
    d->port = server->serverPort();
    d->listeners.push_back(server);
    bind(server);
    return true;
}

int StatsServer::maxConnections() const
{
    return d->maxConnections;
}

void StatsServer::setMaxConnections(int maximum)
{
    d->maxConnections = std::max(1, maximum);
    for (GuardedTcpServer *listener : d->listeners)
        listener->setMaxConnections(d->maxConnections);
}

std::chrono::milliseconds StatsServer::idleTimeout() const
{
    return d->idleTimeout;
}

void StatsServer::setIdleTimeout(std::chrono::milliseconds timeout)
{
    d->idleTimeout = std::max(timeout, std::chrono::milliseconds(1));
    for (GuardedTcpServer *listener : d->listeners)
        listener->setIdleTimeout(d->idleTimeout);
}

int StatsServer::connectionCount() const
{
    int count = 0;
    for (const GuardedTcpServer *listener : d->listeners)
        count += listener->connectionCount();
    return count;
}

quint16 StatsServer::port() const
{
    return d->port;
}

QString StatsServer::errorString() const
{
    return d->errorString;
}

bool StatsServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Every request ends here first (missingHandler() comes after): the connection is busy
    // until its answer is written.
    if (GuardedTcpServer *guard = GuardedTcpServer::of(socket))
        guard->requestReceived(socket, request);
    const QString path = request.url().path();
    Route route;
    if (path == d->statsPath)
        route = Route::Stats;
    else if (path == MetricsPath)
        route = Route::Metrics;
    else if (path == HealthPath)
        route = Route::Health;
    else
        return false; // missingHandler() answers 404

    QHttpServerResponder responder = makeResponder(request, socket);
    if (request.method() != QHttpServerRequest::Method::Get) {
        responder.write(JsonWriter::message(u"Method not allowed", path),
                        {{"Content-Type", JsonType}, {"Allow", "GET"}, {"Cache-Control", "no-store"}},
                        StatusCode::MethodNotAllowed);
        answered(socket);
        return true;
    }
    if (route == Route::Health) {
        writeJson(responder, QByteArrayLiteral("{\"status\":\"ok\"}"));
        return true;
    }
    const ParsedQuery parsed = parseQuery(request.query(), route);
    if (!parsed.error.isEmpty()) {
        writeMessage(responder, StatusCode::BadRequest, parsed.error, path);
        return true;
    }
    // The request object is reused once this returns: everything needed later is copied now.
    d->pending.push_back(StatsServerPrivate::Pending{socket, std::move(responder), parsed.view});
    d->collector->requestSweep();
    return true;
}

void StatsServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    writeMessage(responder, StatusCode::NotFound, u"The requested resource was not found", request.url().path());
}

} // namespace StatventWeb
