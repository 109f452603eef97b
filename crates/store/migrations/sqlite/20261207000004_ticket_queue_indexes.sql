-- The agents' queue by each filter (issue 13, budget: the first page under 50 ms at 100,000 open
-- tickets): each reads in the order of the next breach within the filter's value, with no sort.
CREATE INDEX tickets_queue_status ON tickets (status, queue_at, ref)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_queue_partner ON tickets (partner_code, queue_at, ref)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_queue_service ON tickets (service, queue_at, ref)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_queue_priority ON tickets (priority, queue_at, ref)
    WHERE status NOT IN ('resolved', 'closed');
