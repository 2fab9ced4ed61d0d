-- One login role and one schema per Convene service, each role owning only its own schema.
-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d), through
-- psql, which reads the password from the container's CONVENE_DB_PASSWORD.
\set ON_ERROR_STOP on
\getenv convene_password CONVENE_DB_PASSWORD

REVOKE ALL ON DATABASE convene FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE ROLE gateway LOGIN PASSWORD :'convene_password';
CREATE ROLE analysis LOGIN PASSWORD :'convene_password';
CREATE ROLE scheduling LOGIN PASSWORD :'convene_password';
CREATE ROLE notification LOGIN PASSWORD :'convene_password';
CREATE ROLE audit LOGIN PASSWORD :'convene_password';

GRANT CONNECT ON DATABASE convene TO gateway, analysis, scheduling, notification, audit;

CREATE SCHEMA gateway AUTHORIZATION gateway;
CREATE SCHEMA analysis AUTHORIZATION analysis;
CREATE SCHEMA scheduling AUTHORIZATION scheduling;
CREATE SCHEMA notification AUTHORIZATION notification;
CREATE SCHEMA audit AUTHORIZATION audit;

ALTER ROLE gateway SET search_path = gateway;
ALTER ROLE analysis SET search_path = analysis;
ALTER ROLE scheduling SET search_path = scheduling;
ALTER ROLE notification SET search_path = notification;
ALTER ROLE audit SET search_path = audit;
