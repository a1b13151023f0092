-- The worklist (issue 18, docs/worklist.md): debtors ranked by expected collection, the stored score of the
-- active model times the balance outstanding, then id. A backward scan of this index gives the ranking; the
-- keyset cursor (rank, id) resumes inside it. Resolved and closed debtors are never ranked.
CREATE INDEX idx_debtors_worklist_rank
    ON debtors ((payment_propensity_score * greatest(total_owed - amount_paid, 0)), id)
    WHERE status NOT IN ('resolved', 'closed');
