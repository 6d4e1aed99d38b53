-- Secret rotation: a client app's new secret replaces api_secret, and the one it replaced stays valid (it also signs webhook
-- deliveries and authenticates the app) until previous_secret_valid_until. Encrypted like api_secret; NULL when none.
ALTER TABLE main.client_apps
    ADD COLUMN previous_api_secret          text         NULL,
    ADD COLUMN previous_secret_valid_until  timestamptz  NULL;
