/** Engine events as a resumable async iterator (aicli's own objects by default). */
export { EVENT_DEFAULTS, EventWatcher, watchEvents, type ConnectedState, type EventItem, type EventStreamItem, type WaitingState, type WatchEventsOptions, type WatcherState } from './watch.js';
export { MANAGED_EVENT_FILTERS } from './scope.js';
