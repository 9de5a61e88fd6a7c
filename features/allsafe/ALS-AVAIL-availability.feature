@allsafe @ALS-AVAIL
Feature: ALS-AVAIL - Voucher availability of the campaign
  As an integrator, I list the voucher types my campaign still holds, each with the number left,
  so that I only offer what can be allocated; the numbers follow my allocations, and a campaign
  with nothing left says so without an error.

  @critical
  Scenario: The campaign's voucher types are listed with the number left of each
    When the integrator checks availability
    Then at least one voucher type is available
    And every voucher type names a vendor, a value and the number left

  @critical
  Scenario: Allocating a voucher lowers the number left of its type by one
    Given a voucher type with vouchers left
    When the integrator allocates one voucher of that type
    Then availability shows exactly one voucher fewer of that type
    And the other voucher types are unchanged

  @normal @sandbox_only
  Scenario Outline: A campaign with nothing left is told nothing is available (<answer>)
    Given a campaign whose vouchers have all been handed out
    And the provider answers such a campaign with <answer>
    When the integration of that campaign checks availability
    Then it is told that nothing is available, without an error

    Examples:
      | answer                      |
      | no content                  |
      | an empty list               |
      | a "no vouchers" refusal     |
