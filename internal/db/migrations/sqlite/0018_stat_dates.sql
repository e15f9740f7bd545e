-- Births and deaths of a period are found by date: statistics read a
-- month's births of a million-person county through these instead of
-- every row (the monthly trend reads twelve months).
CREATE INDEX persons_birth ON persons(birth_date);
CREATE INDEX persons_death ON persons(death_date) WHERE death_date IS NOT NULL;
