CREATE INDEX "tickets_queue_near_due_idx" ON "tickets" USING btree ("due_by") WHERE near_due and not overdue and status in ('dispatched', 'handling', 'return_requested');--> statement-breakpoint
CREATE INDEX "tickets_queue_overdue_idx" ON "tickets" USING btree ("due_by") WHERE overdue and status in ('dispatched', 'handling', 'return_requested');--> statement-breakpoint
CREATE INDEX "tickets_queue_extension_idx" ON "tickets" USING btree ((extension ->> 'at')) WHERE (extension ->> 'status') = 'requested' and status in ('dispatched', 'handling', 'return_requested');--> statement-breakpoint
CREATE INDEX "tickets_queue_escalated_idx" ON "tickets" USING btree ("received_at") WHERE escalated and status in ('triage', 'dispatched', 'handling', 'return_requested', 'replied');--> statement-breakpoint
CREATE INDEX "tickets_queue_repeat_idx" ON "tickets" USING btree ("received_at") WHERE cardinality(repeat_of) > 0 and status in ('triage', 'dispatched', 'handling', 'return_requested', 'replied');--> statement-breakpoint
CREATE INDEX "tickets_queue_dissatisfied_idx" ON "tickets" USING btree ("replied_at") WHERE satisfaction = 'dissatisfied' and status in ('replied');--> statement-breakpoint
CREATE INDEX "tickets_near_due_list_idx" ON "tickets" USING btree ("received_at","id") WHERE near_due;--> statement-breakpoint
CREATE INDEX "tickets_overdue_list_idx" ON "tickets" USING btree ("received_at","id") WHERE overdue;--> statement-breakpoint
CREATE INDEX "tickets_escalated_list_idx" ON "tickets" USING btree ("received_at","id") WHERE escalated;