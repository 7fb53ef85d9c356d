// The largest request body any route of Fest Lab reads: a digit drawing for POST /predict
// (784 numbers as JSON, or a small PNG). Each route's parser keeps its own, smaller, bound;
// this one is the door's: a request that declares a bigger body is refused with 413 before
// any route (or, under --services, any upstream) is asked to read it.
export const LARGEST_BODY_BYTES = 64 * 1024;
