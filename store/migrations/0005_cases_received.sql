-- Reports and exports select the cases received in a date range.
CREATE INDEX cases_received ON cases (received_at);
