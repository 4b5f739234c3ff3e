#pragma once

#include <QString>

#include <span>
#include <variant>

namespace LearnPulse {

struct Config;

// One setting of the INI file, declared once: its key, the words the settings dialog labels it with,
// what a valid value is, the environment variable that overrides it, and the Config member it fills.
// Config::load, Config::save, Config::editableValues and the settings dialog all read this table.
struct SettingSpec
{
    enum class Type
    {
        Text, // any text
        Secret, // any text, never shown back
        Int, // a whole number from minimum to maximum
        Bool, // true/false, yes/no, on/off, 1/0
        RedisUrl, // redis://host[:port][/db] or unix:///path
        HttpUrl, // http:// or https://
        Email, // an address
    };
    const char *key;
    const char *label; // in the words of the settings dialog (translated in the "Settings" context)
    Type type;
    std::variant<QString Config::*, int Config::*, bool Config::*> member;
    int minimum = 0;
    int maximum = 0;
    const char *environment = nullptr; // the variable that overrides the file's value
    bool editable = false; // shown in the settings dialog
    bool optional = false; // may be empty (a URL or address that is not set)

    QString labelText() const;
    // Empty when `value` is valid here; otherwise why not, in words that start with the setting's label and
    // never repeat the value (it may hold a password).
    QString check(const QString &value) const;
    // The value as Config holds it, for the file and the dialog.
    QString valueIn(const Config &config) const;
    // Sets the member from a value that check() accepted.
    void apply(Config &config, const QString &value) const;

    static std::span<const SettingSpec> all();
    static const SettingSpec *find(const QString &key);
};

} // namespace LearnPulse
