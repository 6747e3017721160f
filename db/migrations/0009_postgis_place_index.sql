-- Repeats by place on PostGIS where the server offers it (README → Repeats by place and hot spots).
-- Only where pg_available_extensions lists postgis (and btree_gist, a contrib module shipped with
-- Postgres): both extensions, then one GiST index over the ticket's point as geography and its
-- received_at, so a lookup prunes by place and by the repeat window in the index (with the point
-- alone it read every ticket of all time in the circle from the heap: 1.6-2.2x the grid's time).
-- An expression index over the existing lat/lng columns, not a generated column: no rewrite of the
-- tickets table (a stored column rewrites every row under an exclusive lock and adds a column the
-- drizzle schema could not declare on a server without PostGIS). db/repeats-by-place.ts queries
-- the same expression, so the planner uses this index.
-- A server without PostGIS (the embedded default, plain Postgres), or a role that may not create
-- it (postgis is not a trusted extension: superuser only), leaves a notice and keeps the grid index
-- of 0008; this migration never fails for want of PostGIS. Safe to run again by hand (psql -f) as
-- a superuser once PostGIS was installed on the server after the migration ran.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS postgis;
      CREATE EXTENSION IF NOT EXISTS btree_gist;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'repeats by place: PostGIS not created (%), the grid index serves', SQLERRM;
    END;
  END IF;
  IF (SELECT count(*) FROM pg_extension WHERE extname IN ('postgis', 'btree_gist')) = 2 THEN
    BEGIN
      EXECUTE 'CREATE INDEX IF NOT EXISTS tickets_geography_idx ON tickets USING gist '
        || '((geography(st_setsrid(st_makepoint(lng, lat), 4326))), received_at) WHERE lat IS NOT NULL AND lng IS NOT NULL';
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'repeats by place: no PostGIS index (%), the grid index serves', SQLERRM;
    END;
  END IF;
END $$;
