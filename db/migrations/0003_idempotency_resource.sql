ALTER TABLE "idempotency_records" ADD COLUMN "resource_id" text;--> statement-breakpoint
ALTER TABLE "idempotency_records" ADD COLUMN "released_at" timestamp with time zone;