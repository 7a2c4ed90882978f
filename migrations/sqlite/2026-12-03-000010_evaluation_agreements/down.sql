DROP TABLE evaluation_agreements;
