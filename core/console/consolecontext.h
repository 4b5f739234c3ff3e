#pragma once

#include "accountstore.h"
#include "services.h"

#include <QString>

#include <memory>

namespace LearnPulse {

// What the console's controllers share on the worker thread: the services (rebuilt when the settings
// change) and who is signed in.
struct ConsoleContext
{
    QString dataDirOption;
    std::unique_ptr<Services> services;
    Account account;
    bool signedIn = false;

    Actor actor() const { return account.actor(); }
    bool ready() const { return services != nullptr; }
};

} // namespace LearnPulse
