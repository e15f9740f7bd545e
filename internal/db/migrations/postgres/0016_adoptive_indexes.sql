-- Children are found through the adoptive parents too (benefits count
-- adopted children); without these indexes each look-up read every person.
CREATE INDEX persons_adoptive_mother ON persons(adoptive_mother_id) WHERE adoptive_mother_id IS NOT NULL;
CREATE INDEX persons_adoptive_father ON persons(adoptive_father_id) WHERE adoptive_father_id IS NOT NULL;
