// What the fest pages show; the HTML and the JSON answer carry the same objects.
export interface User {
  id: number;
  username: string;
  displayName: string;
}

export interface EventListing {
  id: number;
  title: string;
  venue: string;
  startsAt: string;
  priceRupees: number;
  capacity: number;
  seatsTaken: number;
  seatsLeft: number;
  registered: boolean;
}

export interface MyRegistration {
  eventId: number;
  title: string;
  venue: string;
  startsAt: string;
  priceRupees: number;
  registeredAt: string;
}

export interface CheckoutLine {
  eventId: number;
  title: string;
  startsAt: string;
  priceRupees: number;
}

export interface Checkout {
  lines: CheckoutLine[];
  totalRupees: number;
}

/** What a fest page reads: FestQueries answers it fast, NaiveQueries the way a lab starts. */
export interface FestReads {
  listEvents(userId: number | null): EventListing[];
  myEvents(user: User): MyRegistration[];
  checkout(userId: number): Checkout;
}

/** Rows as SQLite returns them, before they become the shapes above. */
export interface EventRow {
  id: number;
  title: string;
  venue: string;
  starts_at: string;
  price_rupees: number;
  capacity: number;
  seats_taken: number;
}

export interface RegistrationRow {
  id: number;
  user_id: number;
  event_id: number;
  registered_at: string;
}

export function toListing(event: EventRow, seatsTaken: number, registered: boolean): EventListing {
  return {
    id: event.id,
    title: event.title,
    venue: event.venue,
    startsAt: event.starts_at,
    priceRupees: event.price_rupees,
    capacity: event.capacity,
    seatsTaken,
    seatsLeft: event.capacity - seatsTaken,
    registered,
  };
}
