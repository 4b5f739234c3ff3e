#include "logging.h"

Q_LOGGING_CATEGORY(lcDetector, "lp.core.detector", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRedis, "lp.core.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "lp.core.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTickets, "lp.core.tickets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDatabase, "lp.core.db", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccounts, "lp.core.accounts", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEscalation, "lp.core.escalation", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLlm, "lp.core.llm", QtInfoMsg)
Q_LOGGING_CATEGORY(lcChat, "lp.core.chat", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGuard, "lp.core.guard", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOutbox, "lp.core.outbox", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMail, "lp.core.mail", QtInfoMsg)
